import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsTopic, deadLetterTopic, engagementTopic, eventsTopic, mentionsEnrichedTopic, mentionsRawTopic, type Topic } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { freshMetrics, metricValue, quietLogger, tempDir, testConfig } from './helpers.js';

/** Every example message of every topic goes through every consumer of that topic. */
describe('topic examples through their consumers', () => {
  const dir = tempDir();
  const metrics = freshMetrics();
  let rt: Runtime;
  beforeAll(async () => {
    rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: dir.path }), { services: ['classifier', 'writer'], metrics, logger: quietLogger() });
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  const publishExamples = async (topic: Topic) => {
    await rt.deps.bus.publish(
      topic.name,
      topic.examples.map((e) => ({ key: topic.key(topic.schema.parse(e)), value: JSON.stringify(e) })),
    );
    await rt.drain();
  };
  const rows = async (sql: string) => (await rt.deps.store!.client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, unknown>>();

  it('raw mentions: classified, then stored', async () => {
    await publishExamples(mentionsRawTopic);
    const stored = await rows("SELECT source, id, model_name FROM mentions FINAL WHERE model_name = 'earshot-linear-fast' ORDER BY id");
    expect(stored.map((r) => `${r.source}:${r.id}`).sort()).toEqual(mentionsRawTopic.examples.map((e) => `${e.source}:${e.id}`).sort());
  });

  it('enriched mentions: recognised as already stored, not doubled', async () => {
    const before = await metricValue(metrics.registry, 'earshot_store_rows_duplicate_total');
    await publishExamples(mentionsEnrichedTopic);
    // The enriched example is the first raw example enriched: already stored, so skipped, not doubled.
    expect(await metricValue(metrics.registry, 'earshot_store_rows_duplicate_total')).toBe(before + mentionsEnrichedTopic.examples.length);
    expect(Number((await rows('SELECT count() AS n FROM mentions'))[0]!.n)).toBe(mentionsRawTopic.examples.length);
  });

  it('campaign events and dead letters: stored', async () => {
    await publishExamples(eventsTopic);
    await publishExamples(deadLetterTopic);
    expect((await rows('SELECT id FROM campaign_events FINAL ORDER BY id')).map((r) => r.id)).toEqual(eventsTopic.examples.map((e) => e.id).sort());
    expect(await rows('SELECT origin, stage FROM dead_letters')).toEqual(deadLetterTopic.examples.map((e) => ({ origin: e.origin, stage: e.stage })));
  });

  it('engagement refreshes: applied to the stored row in place, rollups untouched', async () => {
    const minute = async () => Number((await rows('SELECT sum(mentions) AS n FROM mention_stats_1m'))[0]!.n);
    const before = await minute();
    await publishExamples(engagementTopic);
    const [first] = engagementTopic.examples;
    const stored = await rows(
      `SELECT likes, shares, replies, views, author_followers, count() OVER () AS copies FROM mentions WHERE source = '${first!.source}' AND id = '${first!.id}'`,
    );
    expect(stored.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])))).toEqual([
      { likes: 1520, shares: 410, replies: 233, views: 98000, author_followers: 1200, copies: 1 },
    ]);
    expect(await minute()).toBe(before);
  });

  it('alerts: no consumer yet; the examples are valid for the detector issue to build on', () => {
    for (const e of alertsTopic.examples) expect(alertsTopic.schema.safeParse(e).success).toBe(true);
  });
});
