import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['shared/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // chDB binds one data directory per process: every test file gets its own process.
    pool: 'forks',
    isolate: true,
    // Earshot processes the tests start (npm start, the CLI) read the same labels whether or not
    // models:build has run: the default tier (adaptive) uses the encoder only where it is built.
    env: { EARSHOT_CLASSIFIER_TIER: 'fast' },
    testTimeout: 120_000,
    hookTimeout: 600_000,
    teardownTimeout: 120_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
