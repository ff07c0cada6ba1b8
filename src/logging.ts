// The one place loggers are made: structured JSON logs (pino) on stderr, so stdout stays free for
// command output, with credentials (authorization headers, tokens) redacted.
import { pino, type Logger } from 'pino';
import type { VigilConfig } from './config/schema.js';

export type { Logger };

/** Paths pino blanks out wherever they appear in a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'request.headers.authorization',
  'authorization',
  'token',
  '*.token',
  'config.server.tokens',
  'config.alerts.slack.token',
];

export function createLogger(cfg: VigilConfig['log'], destination: pino.DestinationStream = pino.destination({ fd: 2, sync: false })): Logger {
  return pino(
    {
      level: cfg.level,
      base: { pid: process.pid, app: 'vigil' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
