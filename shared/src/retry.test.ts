import { describe, expect, it } from 'vitest';
import { withRetries } from './retry.js';

const instant = async () => undefined;

/** An operation that always fails with `message`, counting its calls. */
function failing(message: string) {
  const op = Object.assign(
    async (): Promise<never> => {
      op.calls++;
      throw new Error(message);
    },
    { calls: 0 },
  );
  return op;
}

describe('withRetries', () => {
  it('retries until the operation succeeds, with waits that double up to the cap', async () => {
    const waits: number[] = [];
    let calls = 0;
    const value = await withRetries(
      async (attempt) => {
        calls++;
        if (attempt < 5) throw new Error(`fail ${attempt}`);
        return 'ok';
      },
      { attempts: 10, baseMs: 100, capMs: 300, random: () => 1, sleep: async (ms) => void waits.push(ms) },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(5);
    expect(waits).toEqual([100, 200, 300, 300]);
  });

  it('gives up after the attempts allowed, or at once on an error not worth retrying, with that error', async () => {
    const seen: [number, boolean][] = [];
    await expect(
      withRetries(
        async (attempt) => {
          throw new Error(`fail ${attempt}`);
        },
        { attempts: 3, baseMs: 1, capMs: 1, sleep: instant, onError: (_e, f) => void seen.push([f.attempt, f.retrying]) },
      ),
    ).rejects.toThrow('fail 3');
    expect(seen).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    const bad = failing('bad request');
    await expect(withRetries(bad, { attempts: Infinity, baseMs: 1, capMs: 1, sleep: instant, retryable: (e) => !String(e).includes('bad') })).rejects.toThrow(
      'bad request',
    );
    expect(bad.calls).toBe(1);
  });

  it('stops retrying when told to, or when its signal aborts during a wait', async () => {
    const busy = failing('busy');
    await expect(withRetries(busy, { attempts: Infinity, baseMs: 1, capMs: 1, sleep: instant, stop: () => busy.calls >= 2 })).rejects.toThrow('busy');
    expect(busy.calls).toBe(2);
    const ac = new AbortController();
    const down = failing('down');
    await expect(withRetries(down, { attempts: Infinity, baseMs: 1, capMs: 1, signal: ac.signal, sleep: async () => ac.abort() })).rejects.toThrow('down');
    expect(down.calls).toBe(1);
  });
});
