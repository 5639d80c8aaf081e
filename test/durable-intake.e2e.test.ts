import { type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, mention, tempDir } from './helpers.js';
import { startEarshot as start } from './earshot-process.js';

/**
 * Issue #18.6: `kill -9` of the embedded process lost mentions ingest had acknowledged.
 * With the in-process bus on disk, every acknowledged mention is stored after a restart,
 * once, in the table and in the rollups.
 */
describe('embedded intake survives kill -9', () => {
  const dir = tempDir();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    dir.remove();
  });

  it('every mention acknowledged before the kill is stored after the restart, and counted once', async () => {
    const first = await start(dir.path);
    children.push(first.child);
    const created = new Date(Date.now() - 3_600_000).toISOString();
    let acknowledged = 0;
    for (let batch = 0; batch < 40; batch++) {
      const body = Array.from({ length: 500 }, () => mention({ created_at: created }));
      const res = await fetch(`${first.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(202);
      acknowledged += ((await res.json()) as { accepted: number }).accepted;
    }
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await start(dir.path);
    children.push(second.child);
    const at = (offset: number) =>
      fetch(`${second.url}/v1/mentions?brand=acme&limit=1&offset=${offset}`).then(async (r) => ((await r.json()) as { items: unknown[] }).items.length);
    await eventually(async () => (await at(acknowledged - 1)) === 1, { timeoutMs: 120_000, everyMs: 500 });
    expect(await at(acknowledged)).toBe(0);
    const stats = (await (
      await fetch(`${second.url}/v1/stats/sentiment?brand=acme&interval=1d&from=${new Date(Date.now() - 2 * 86_400_000).toISOString()}`)
    ).json()) as { total: number };
    expect(stats.total).toBe(acknowledged);
    second.child.kill('SIGINT');
    await new Promise((r) => second.child.once('exit', r));
  });
});
