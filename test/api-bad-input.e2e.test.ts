import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { mention, tempDir, testConfig, overHttp } from './helpers.js';

/**
 * Bad input found by the fault run (issue #18.8): it must get a 4xx with a reason, and
 * never take the good data around it down with it.
 */
describe('bad input at the API', () => {
  const dir = tempDir();
  let rt: Runtime;
  beforeAll(async () => {
    rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: join(dir.path, 'data'), EARSHOT_BRANDS: 'acme=acme' }), overHttp(['ingest', 'api']));
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  // Date.parse takes "99999" as the year 99999; ClickHouse's DateTime ends in 2106.
  it.each([
    '/v1/mentions?from=99999',
    '/v1/mentions?to=99999',
    '/v1/stats/sentiment?brand=acme&from=99999',
    '/v1/stats/sentiment?brand=acme&to=-271821-04-20',
    '/v1/stats/care?brand=acme&from=99999',
    '/v1/events?from=9999-01-01T00:00:00Z',
    '/v1/events?to=1000-01-01T00:00:00Z',
  ])('GET %s is a 400 naming the parameter, not a 500', async (path) => {
    const res = await fetch(`${rt.url}${path}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/(from|to): must be/);
  });

  it('a mention whose metadata nests 5,000 deep is rejected alone; the good ones in the batch land', async () => {
    // Written as text: the test's own JSON.stringify would overflow its stack at this depth.
    const deep = `${'{"d":'.repeat(5000)}{"leaf":true}${'}'.repeat(5000)}`;
    const item = (m: object) => JSON.stringify(m);
    const body = `[${item(mention({ id: 'good-1', text: 'acme is fine' }))},${item(mention({ id: 'deep', text: 'acme deep', metadata: { placeholder: 1 } })).replace('{"placeholder":1}', deep)},${item(mention({ id: 'good-2', text: 'acme again' }))}]`;
    const res = await fetch(`${rt.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    expect(answer.accepted).toBe(2);
    expect(answer.rejected).toEqual([expect.objectContaining({ index: 1, reason: expect.stringMatching(/metadata.*nest/) })]);
  });
});
