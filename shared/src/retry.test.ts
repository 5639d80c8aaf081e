import { describe, expect, it } from 'vitest';
import { withRetries } from './retry.js';

const instant = async () => undefined;

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
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error('bad request');
        },
        { attempts: Infinity, baseMs: 1, capMs: 1, sleep: instant, retryable: (e) => !String(e).includes('bad') },
      ),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
  });

  it('stops retrying when told to, or when its signal aborts during a wait', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error('busy');
        },
        { attempts: Infinity, baseMs: 1, capMs: 1, sleep: instant, stop: () => calls >= 2 },
      ),
    ).rejects.toThrow('busy');
    expect(calls).toBe(2);
    const ac = new AbortController();
    calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error('down');
        },
        { attempts: Infinity, baseMs: 1, capMs: 1, signal: ac.signal, sleep: async () => ac.abort() },
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(1);
  });
});
