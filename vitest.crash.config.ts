import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The kill -9 test on FerretDB (`npm run test:crash`): outside `npm test` while it still fails on
// per-account health and account alerts after replays (see the issue notes); about 5 minutes.
export default mergeConfig(base, defineConfig({ test: { include: ['test/daemon/crash.e2e.test.ts'], exclude: [] } }));
