import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // run by `npm run test:crash` (vitest.crash.config.ts): about 4 minutes on its own, most of it
    // restarts; kept out of the parallel run, where the loaded machine would stretch its deadlines
    exclude: ['test/daemon/crash.e2e.test.ts', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { DOTENV_CONFIG_QUIET: 'true' },
  },
});
