import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The kill -9 test on FerretDB alone (`npm run test:crash`, also part of `npm test`): the base
// settings with this one file (mergeConfig would append to the include list and run everything).
export default defineConfig({ ...base, test: { ...base.test, include: ['test/daemon/crash.e2e.test.ts'], exclude: ['**/node_modules/**'] } });
