import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRuntime } from '@earshot/cli';
import { freshMetrics, quietLogger, tempDir, testConfig } from './helpers.js';

/** The runtime reads the brands file once for ingest and the detector; a detector alone needs no connector secret. */
describe('the brands file in the runtime', () => {
  const dir = tempDir();
  const file = join(dir.path, 'brands.yaml');
  writeFileSync(file, 'brands:\n  - id: acme\n    query: acme\n    alerts: {sensitivity: high}\n    sources:\n      - type: x_search\n        query: acme\n');
  const config = testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS_FILE: file });
  afterAll(() => dir.remove());

  it("starts a detector without the connectors' secrets, and refuses ingest without them", async () => {
    delete process.env.EARSHOT_X_BEARER_TOKEN;
    const rt = await startRuntime(config, { services: ['detector'], logger: quietLogger(), metrics: freshMetrics() });
    expect(rt.detector).toBeDefined();
    await rt.stop();
    await expect(startRuntime(config, { services: ['ingest'], logger: quietLogger(), metrics: freshMetrics() })).rejects.toThrow(
      /x_search needs EARSHOT_X_BEARER_TOKEN/,
    );
  });
});
