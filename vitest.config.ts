import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,sync,electron,renderer,scripts}/**/*.test.ts'],
    // One embedded Postgres cluster for the whole run; each test file makes its own database.
    globalSetup: ['sync/server/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
  },
});
