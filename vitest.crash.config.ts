import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The kill -9 test on FerretDB alone (`npm run test:crash`): the base settings with this one file
// (mergeConfig would append it to the base include list and run the whole suite with it).
export default defineConfig({ ...base, test: { ...base.test, include: ['test/daemon/crash.e2e.test.ts'], exclude: ['**/node_modules/**'] } });
