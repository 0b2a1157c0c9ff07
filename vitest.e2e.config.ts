import { defineConfig } from 'vitest/config';

/** End-to-end suites: real Chromium against a real server started per test file. */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // One file at a time: each starts a server and browsers; two cores are shared.
    fileParallelism: false,
    pool: 'forks',
  },
});
