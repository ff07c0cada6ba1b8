// The logging the alerts module needs: the pino methods it calls, so a pino logger (or a test
// double) can be passed in without this module creating one.
import type { Logger } from 'pino';

export type AlertLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
