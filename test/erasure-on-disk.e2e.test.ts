import { type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, mention, tempDir } from './helpers.js';
import { startEarshot, stopEarshot } from './earshot-process.js';

/** Every file under `dir` holding any of `needles`, with the needle found. */
function filesHolding(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found; // removed while we looked (ClickHouse drops old parts' directories)
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesHolding(path, needles));
    if (!entry.isFile()) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      continue;
    }
    for (const n of needles) if (bytes.includes(n)) found.push(`${path}: ${n}`);
  }
  return found;
}

/**
 * Issue #35.6: after DELETE /v1/authors/..., every ClickHouse table was clean but the
 * author's texts and names, a post re-sent after the erasure included, stayed in the
 * embedded bus's files under EARSHOT_DATA_DIR/bus. Erasure reaches every file now.
 */
describe('an erased author leaves nothing on disk', () => {
  const dir = tempDir();
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) await stopEarshot(c);
    dir.remove();
  });

  it('their texts and names are in no file under the data directory after erasure, a post re-sent after it included', async () => {
    const { child, url } = await startEarshot(dir.path);
    children.push(child);
    const tag = randomUUID().slice(0, 8);
    const author = { id: `erasable-${tag}`, handle: `erasable_handle_${tag}`, name: `Erasable Name ${tag}`, followers: 10 };
    const texts = [0, 1, 2, 3].map((i) => `Acme erasable text ${tag} number ${i}`);
    const post = (body: unknown[]) =>
      fetch(`${url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const others = Array.from({ length: 50 }, () => mention({ created_at: new Date(Date.now() - 3_600_000).toISOString() }));
    const theirs = texts.slice(0, 3).map((text) => mention({ text, author, created_at: new Date(Date.now() - 3_600_000).toISOString() }));
    expect((await post([...others, ...theirs])).status).toBe(202);
    const mentionsOf = async () => {
      const res = await fetch(`${url}/v1/authors/twitter/${author.id}`);
      return res.status === 200 ? ((await res.json()) as { mentions: unknown[] }).mentions.length : 0;
    };
    expect(await eventually(async () => (await mentionsOf()) === 3, { timeoutMs: 60_000, everyMs: 250 })).toBe(true);
    const needles = [...texts.slice(0, 3), author.handle, author.name];
    expect(filesHolding(dir.path, needles).length, 'the test must see the author on disk before the erasure').toBeGreaterThan(0);

    const erased = await fetch(`${url}/v1/authors/twitter/${author.id}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect(((await erased.json()) as { removed: { mentions: number } }).removed.mentions).toBe(3);

    // Re-sent after the erasure: acknowledged, then dropped by the writer, and gone from the bus's files once consumed.
    expect((await post([mention({ text: texts[3]!, author, created_at: new Date(Date.now() - 60_000).toISOString() })])).status).toBe(202);
    const dropped = async () => {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      return Number(/^earshot_erased_author_dropped_total (\d+)/m.exec(metrics)?.[1] ?? 0);
    };
    expect(await eventually(async () => (await dropped()) >= 1, { timeoutMs: 60_000, everyMs: 250 })).toBe(true);
    expect(await mentionsOf()).toBe(0);

    // The bus's files within moments of the commit: consumed segments are rolled away, the rest rewritten by the erasure.
    const everywhere = [...texts, author.handle, author.name];
    const busClean = await eventually(async () => filesHolding(join(dir.path, 'bus'), everywhere).length === 0, { timeoutMs: 5_000, everyMs: 100 });
    expect(busClean ? [] : filesHolding(join(dir.path, 'bus'), everywhere)).toEqual([]);
    // chDB's: the parts the erasure's mutations replaced go at ClickHouse's next cleanup of old parts (every 30-40 s).
    const clean = await eventually(async () => filesHolding(dir.path, everywhere).length === 0, { timeoutMs: 90_000, everyMs: 500 });
    expect(clean ? [] : filesHolding(dir.path, everywhere)).toEqual([]);
  }, 300_000);
});
