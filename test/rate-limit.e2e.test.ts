import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { tempDir, testConfig, overHttp } from './helpers.js';
import { declaredStatuses, expectDeclared } from './openapi-answers.js';

/** EARSHOT_RATE_LIMIT_PER_MINUTE as a running Earshot applies it. */
describe('rate limit on the expensive reads', () => {
  const dir = tempDir();
  let rt: Runtime;
  beforeAll(async () => {
    rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_RATE_LIMIT_PER_MINUTE: '2' }), overHttp(['api']));
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('answers 429 with the reason past the limit, counts it, and leaves cheap routes alone', async () => {
    const get = (path: string) => fetch(`${rt.url}${path}`);
    expect((await get('/v1/stats/volume?by=brand')).status).toBe(200);
    expect((await get('/v1/mentions')).status).toBe(200);
    const refused = await get('/v1/stats/sentiment?brand=acme');
    expect(refused.status).toBe(429);
    expectDeclared('GET', '/v1/stats/sentiment', 429);
    // Cheap routes are not rate-limited, and the document does not say they are.
    expect(declaredStatuses('GET', '/v1/alerts')).not.toContain('429');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toMatch(/may make 2 a minute/);
    expect((await get('/v1/alerts')).status).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
    expect(await (await get('/metrics')).text()).toMatch(/earshot_http_rate_limited_total\{caller="addr"\} 1/);
  });
});
