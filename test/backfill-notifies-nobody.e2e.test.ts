import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleAlert } from '../services/notifier/src/test-support/sample-alert.js';
import { alertsTopic, topicMessage, topicName, type Alert, type Config } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, overHttp, tempDir, testConfig } from './helpers.js';
import { pastMentions } from './past-mentions.js';
import { startHookServer } from './receivers.js';

const MIN = 60_000;
const DAY = 86_400_000;

/**
 * A backfill's alerts are history: `POST /v1/detection/backfill` over the last hours (an
 * incident half an hour ago, well within EARSHOT_NOTIFY_MAX_AGE_MINUTES) publishes its
 * alert versions flagged `replayed`, and the notifier sends none of them, while a live
 * version published after them goes out.
 */
describe('a backfill pages nobody: replayed alert versions', () => {
  const dir = tempDir();
  let hooks: Awaited<ReturnType<typeof startHookServer>>;
  let rt: Runtime;
  let config: Config;
  const past = pastMentions({ brand: 'acme', start: Math.floor(Date.now() / MIN) * MIN - 215 * MIN, seed: 39 });

  beforeAll(async () => {
    hooks = await startHookServer();
    const routes = join(dir.path, 'routes.yaml');
    writeFileSync(routes, `channels:\n  on-call: { type: webhook, url: "${hooks.url}/on-call" }\nroutes:\n  - name: all\n    channels: [on-call]\n`);
    config = testConfig({
      EARSHOT_DATA_DIR: dir.path,
      EARSHOT_ROUTES_FILE: routes,
      EARSHOT_BRANDS: 'acme=acme',
      // One partition, so the notifier reads the versions in the order they were published.
      EARSHOT_TOPIC_PARTITIONS: '1',
      // The live schedule stays out of it (once a year); only the backfill detects.
      EARSHOT_DETECT_CRON: '0 0 1 1 *',
    });
    rt = await startRuntime(config, overHttp(['ingest', 'classifier', 'writer', 'notifier', 'detector', 'api']));
    const posted = await fetch(`${rt.url}/v1/mentions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(past.mentions),
    });
    expect(posted.status).toBe(202);
    const stored = async () =>
      ((await (await fetch(`${rt.url}/v1/stats/sentiment?brand=acme&from=${new Date(Date.now() - DAY).toISOString()}`)).json()) as { total: number }).total;
    expect(await eventually(async () => (await stored()) === past.mentions.length, { timeoutMs: 120_000, everyMs: 500 })).toBe(true);
  }, 240_000);
  afterAll(async () => {
    await rt?.stop();
    await hooks?.close();
    dir.remove();
  });

  it('publishes the backfill’s alerts flagged replayed, and the notifier delivers none of them', async () => {
    const body = { from: new Date(past.incident.start - 30 * MIN).toISOString(), to: new Date(past.incident.end + 15 * MIN).toISOString() };
    const started = await fetch(`${rt.url}/v1/detection/backfill`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(started.status).toBe(202);
    const job = () => fetch(`${rt.url}${started.headers.get('location')}`).then((r) => r.json() as Promise<{ status: string; alerts: Alert[] }>);
    expect(await eventually(async () => (await job()).status !== 'running', { timeoutMs: 180_000, everyMs: 500 })).toBe(true);
    const done = await job();
    expect(done.status).toBe('done');
    const surges = done.alerts.filter((a) => a.kind === 'complaint_surge');
    expect(surges.length).toBeGreaterThan(0);
    expect(done.alerts.every((a) => a.replayed === true)).toBe(true);
    // Opened within the last hour: the age bound would have let them through.
    expect(Date.now() - Date.parse(surges[0]!.updated_at)).toBeLessThan(config.EARSHOT_NOTIFY_MAX_AGE_MINUTES * MIN);

    // A live version published after them: once it is delivered, the notifier has read past the backfill's.
    const now = new Date().toISOString();
    const live = sampleAlert({
      id: `complaint_surge:acme:complaint:${now}`,
      brand: 'acme',
      opened_at: now,
      updated_at: now,
      window_start: now,
      window_end: now,
    });
    await rt.deps.bus.publish(topicName(config, alertsTopic.name), [topicMessage(alertsTopic, live)]);
    expect(await eventually(async () => hooks.posts.length > 0, { timeoutMs: 60_000 })).toBe(true);
    expect(hooks.posts.map((p) => p.body.alert.id)).toEqual([live.id]);
  }, 300_000);
});
