import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// npm run test:unit: every test that needs no Kafka broker and starts no process (the
// *.e2e.test.ts files do: a server, or the CLI run as a user runs it), without the broker
// the whole suite starts first.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['**/node_modules/**', 'test/**/*.e2e.test.ts'],
      globalSetup: [],
    },
  }),
);
