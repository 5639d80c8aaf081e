import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mention } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, overHttp, tempDir, testConfig } from './helpers.js';

const SLOW_MS = 20_000;

/**
 * The detector only publishes: a run that opens an alert returns while the notifier's
 * webhook takes 20 s to answer. Unanswered complaints open a care alert on the next run.
 * The figures are printed; the only bound is a generous "not blocked" (well under 20 s).
 */
describe('a slow webhook does not hold up the detector run', () => {
  const dirs = [tempDir(), tempDir()];
  let slow: Server;
  let hookUrl = '';
  const requests: number[] = [];
  let slowNow = true;

  beforeAll(async () => {
    slow = createServer((req, res) => {
      requests.push(Date.now());
      req.resume();
      if (slowNow) setTimeout(() => res.writeHead(204).end(), SLOW_MS).unref();
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
    for (const d of dirs) d.remove();
  });

  /** A runtime with unanswered complaints; the time of the detector run that opens the care alert. */
  const runWith = async (dir: string, webhook: string | undefined) => {
    const rt: Runtime = await startRuntime(
      testConfig({
        EARSHOT_DATA_DIR: dir,
        EARSHOT_BRANDS: 'acme=acme',
        EARSHOT_CARE_MAX_UNANSWERED: '1',
        ...(webhook ? { EARSHOT_ALERT_WEBHOOK_URL: webhook } : {}),
      }),
      overHttp(['ingest', 'classifier', 'writer', 'notifier', 'detector']),
    );
    try {
      const now = Date.now();
      const mentions: Mention[] = ['charged me twice, refund me now', 'my order never arrived, terrible', 'app keeps crashing at checkout, awful'].map(
        (t, i) => ({
          id: `c${i}`,
          source: 'twitter',
          text: `Acme ${t}`,
          created_at: new Date(now - (20 - i) * 60_000).toISOString(),
          author: { id: `u${i}`, handle: `u${i}`, followers: 10 },
          lang: 'en',
        }),
      );
      await rt.ingest!.ingestor.ingest(
        mentions.map((value, index) => ({ index, value })),
        'test',
      );
      await rt.drain();
      const started = performance.now();
      const { alerts } = await rt.detector!.runOnce(Date.now());
      const ms = performance.now() - started;
      expect(alerts.map((a) => a.kind)).toContain('care');
      if (webhook) {
        expect(await eventually(async () => requests.length > 0, { timeoutMs: 30_000 })).toBe(true);
        // Let the notifier finish (its retry answered at once), so stopping does not wait out the slow attempt.
        slowNow = false;
        slow.closeAllConnections();
      }
      return ms;
    } finally {
      await rt.stop();
    }
  };

  it('the run that opens an alert takes about as long with a 20 s webhook as with none', async () => {
    const without = await runWith(dirs[0]!.path, undefined);
    const withSlow = await runWith(dirs[1]!.path, hookUrl);
    console.log(`detector run opening an alert: ${without.toFixed(0)} ms with no webhook, ${withSlow.toFixed(0)} ms with one that answers in 20 s`);
    // The webhook was called while the run had long returned.
    expect(withSlow).toBeLessThan(SLOW_MS / 2);
  }, 240_000);
});
