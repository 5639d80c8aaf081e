import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationOutbox, closeServer, listen, migrate, openStore, type Alert } from '@earshot/shared';
import { NotifierQueue, webhookNotifier } from '@earshot/detector';
import { freshMetrics, quietLogger, tempDir, testConfig } from './helpers.js';

const alert = (id: string): Alert => ({
  id,
  kind: 'complaint_surge',
  brand: 'globex',
  status: 'open',
  severity: 'warning',
  severity_score: 6,
  window_start: '2026-11-25T08:00:00.000Z',
  window_end: '2026-11-25T08:05:00.000Z',
  observed: 12,
  expected: 1.5,
  band: [0, 5],
  score: 0.999,
  summary: '12 complaints in 5 min',
  sample_mentions: [],
  opened_at: '2026-11-25T08:05:00.000Z',
  updated_at: '2026-11-25T08:05:00.000Z',
});

/**
 * The notifier queue on the real store: a detector process that dies after a delivery
 * failed and before its retry leaves the delivery in the outbox; the next process sends
 * it, once, with a stable idempotency key, and a third finds nothing left to send.
 */
describe('alert notifications survive a restart and are delivered once', () => {
  const dir = tempDir();
  let store: Awaited<ReturnType<typeof openStore>>;
  let server: Server;
  let url = '';
  let failing = true;
  const received: { key: string | undefined; id: string }[] = [];

  beforeAll(async () => {
    store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    await migrate(store.client, quietLogger());
    const app = express();
    app.post('/hook', express.json(), (req, res) => {
      if (failing) return void res.status(503).send('busy');
      received.push({ key: req.header('idempotency-key'), id: req.body.alert.id });
      res.status(204).end();
    });
    server = await listen(app, '127.0.0.1', 0);
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  afterAll(async () => {
    await closeServer(server);
    await store.close();
    dir.remove();
  });

  const process = () =>
    new NotifierQueue([webhookNotifier(url)], { logger: quietLogger(), metrics: freshMetrics(), outbox: new NotificationOutbox(store.client) }, 2, 1);

  it('keeps a failed delivery across processes and sends it exactly once', async () => {
    const first = process();
    await first.deliver([alert('a1'), alert('a2')]);
    expect(first.queued).toBe(2);
    expect(received).toEqual([]);
    // The first process dies here, before its retry; the receiver comes back.
    failing = false;
    const second = process();
    await second.restore();
    expect(second.queued).toBe(2);
    await second.deliver([]);
    expect(second.queued).toBe(0);
    expect(received.map((r) => r.id).sort()).toEqual(['a1', 'a2']);
    expect(received[0]!.key).toMatch(/^a\d@2026-11-25T08:05:00.000Z#webhook$/);

    const third = process();
    await third.restore();
    await third.deliver([]);
    expect(third.queued).toBe(0);
    expect(received).toHaveLength(2);
  });
});
