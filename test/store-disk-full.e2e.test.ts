import { type ChildProcess } from 'node:child_process';
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@earshot/shared';
import { eventually, mention, tempDir, testConfig } from './helpers.js';
import { startEarshot, stopEarshot } from './earshot-process.js';
import { mountSmallDisk } from './small-disk.js';

const dir = tempDir();
// Only the store's directory is on the small disk; the bus (EARSHOT_DATA_DIR/bus) is not, as in issue #35.2.
const disk = mountSmallDisk(join(dir.path, 'clickhouse'), 40);

type Health = { status: string; checks: { name: string; ok: boolean; detail?: unknown }[] };
const health = async (url: string) => {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
};
const storeDisk = (h: Health) => h.checks.find((c) => c.name === 'writer.store_disk');

/**
 * Issue #35.2: with the store's disk nearly full, ClickHouse's "Cannot reserve …, not
 * enough space" was taken for a bad row: batches were split outside the write journal
 * (rollups drifted from rows) and stored mentions were dead-lettered, health green. A
 * full store disk now stalls the writer, red, until space is freed; then everything
 * acknowledged is stored once, in the table and in the rollups.
 */
describe.skipIf(!disk.ok)(`the store's disk fills up under load${disk.ok ? '' : ` (skipped: ${disk.reason})`}`, () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) await stopEarshot(c);
    if (disk.ok) disk.unmount();
    dir.remove();
  });

  it('stalls the writer with health red, stores every acknowledged mention once after space is freed, rollups equal to rows, none dead-lettered', async () => {
    const { child, url } = await startEarshot(dir.path);
    children.push(child);
    // Leave the store a few MiB, so that a few thousand mentions fill it.
    const filler = join(dir.path, 'clickhouse', 'filler');
    const { bavail, bsize } = statfsSync(join(dir.path, 'clickhouse'));
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 3 * 1024 * 1024)));

    const created = new Date(Date.now() - 3_600_000).toISOString();
    const acknowledged = new Set<string>();
    let redFor = 0;
    for (let batch = 0; batch < 400 && redFor < 5; batch++) {
      const body = Array.from({ length: 500 }, () => mention({ created_at: created, text: `Acme ${Math.random().toString(36).repeat(8)}` }));
      const res = await fetch(`${url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status === 202) for (const m of body) acknowledged.add(m.id);
      else expect(res.status).toBe(503); // refused whole, with nothing acknowledged
      if ((await health(url)).status === 503) redFor++;
    }
    expect(redFor, 'the store disk never filled').toBe(5);

    // Stalled: red, naming the store's disk, and it stays red while nothing is freed.
    await new Promise((r) => setTimeout(r, 3_000));
    const stalled = await health(url);
    expect(stalled.status).toBe(503);
    // The table whose insert met the full disk: mentions, or the story merges the writer stores just before them.
    const disk = storeDisk(stalled.body) as { ok: boolean; detail: { tables: Record<string, { error: string }> } };
    expect(disk.ok).toBe(false);
    expect(Object.keys(disk.detail.tables).length).toBeGreaterThan(0);
    for (const t of Object.values(disk.detail.tables)) expect(t.error).toMatch(/space/i);

    rmSync(filler);
    expect(await eventually(async () => (await health(url)).status === 200, { timeoutMs: 150_000, everyMs: 500 })).toBe(true);
    const stored = async (offset: number) =>
      fetch(`${url}/v1/mentions?brand=acme&limit=1&offset=${offset}`).then(async (r) => ((await r.json()) as { items: unknown[] }).items.length);
    expect(await eventually(async () => (await stored(acknowledged.size - 1)) === 1, { timeoutMs: 150_000, everyMs: 500 })).toBe(true);
    expect(storeDisk((await health(url)).body)?.ok).toBe(true);
    await stopEarshot(child);

    // The ledger, read from the store itself: acknowledged ids == stored ids == rollup totals; no dead letters.
    const store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    try {
      const query = async <T>(sql: string) => (await store.client.query({ query: sql, format: 'JSONEachRow' })).json<T>();
      const ids = (await query<{ id: string }>('SELECT id FROM mentions FINAL')).map((r) => r.id);
      expect(ids.length).toBe(acknowledged.size);
      expect(new Set(ids)).toEqual(acknowledged);
      for (const rollup of ['mention_stats_1m', 'mention_stats_1h']) {
        const [sum] = await query<{ n: string }>(`SELECT sum(mentions) AS n FROM ${rollup} WHERE brand = 'acme'`);
        expect(Number(sum!.n), rollup).toBe(acknowledged.size);
      }
      const [letters] = await query<{ n: string }>('SELECT count() AS n FROM dead_letters');
      expect(Number(letters!.n)).toBe(0);
      console.info(`store disk full: ${acknowledged.size} acknowledged, ${ids.length} stored, rollups equal, red for ${redFor} batches`);
    } finally {
      await store.close();
    }
  }, 400_000);
});
