import { mkdirSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CampaignEventRowSchema,
  DeadLetterRowSchema,
  MIGRATIONS_DIR,
  MentionRowSchema,
  applyRetention,
  mentionToRow,
  mentionsEnrichedTopic,
  MigrationError,
  loadMigrations,
  migrate,
} from '@earshot/shared';
import { migratedStoreForSuite, quietLogger } from './helpers.js';

/** The real ClickHouse engine (chDB): migrations and the row schemas the writer relies on. */
describe('ClickHouse store', () => {
  const suite = migratedStoreForSuite();
  const columns = async (table: string) =>
    (await (await suite.store.client.query({ query: `DESCRIBE TABLE ${table}`, format: 'JSONEachRow' })).json<{ name: string; default_type: string }>())
      .filter((c) => c.default_type === '')
      .map((c) => c.name)
      .sort();

  it.each([
    ['mentions', MentionRowSchema],
    ['campaign_events', CampaignEventRowSchema],
    ['dead_letters', DeadLetterRowSchema],
  ] as const)('%s columns match the zod row schema', async (table, schema) => {
    expect(await columns(table)).toEqual(Object.keys(schema.shape).sort());
  });

  it('applies migrations once and records their checksums', async () => {
    const again = await migrate(suite.store.client, quietLogger());
    expect(again.applied).toEqual([]);
    const recorded = await (
      await suite.store.client.query({ query: 'SELECT name, checksum FROM schema_migrations FINAL ORDER BY version', format: 'JSONEachRow' })
    ).json();
    expect(recorded).toEqual(loadMigrations().map((m) => ({ name: m.name, checksum: m.checksum })));
  });

  it('applies retention as TTLs, and removes them again', async () => {
    const ddl = async (t: string) =>
      (await (await suite.store.client.query({ query: `SHOW CREATE TABLE ${t}`, format: 'JSONEachRow' })).json<{ statement: string }>())[0]!.statement;
    await applyRetention(suite.store.client, quietLogger(), { rawDays: 30, hourlyDays: 400 });
    expect(await ddl('mentions')).toMatch(/TTL toDateTime\(created_at\) \+ toIntervalDay\(30\)/);
    expect(await ddl('mention_stats_1h')).toMatch(/TTL toDateTime\(hour\) \+ toIntervalDay\(400\)/);
    await applyRetention(suite.store.client, quietLogger(), { rawDays: 0, hourlyDays: 0 });
    expect(await ddl('mentions')).not.toMatch(/TTL/);
  });

  it('feeds the hourly rollups like the per-minute ones', async () => {
    const base = mentionToRow({
      ...mentionsEnrichedTopic.examples[0]!,
      brands: ['acme'],
      intents: [{ label: 'complaint', score: 0.9 }],
    } as never);
    const rows = ['2026-11-20 08:10:00.000', '2026-11-20 08:50:00.000', '2026-11-20 09:05:00.000'].map((t, i) => ({
      ...base,
      id: `hourly-${i}`,
      created_at: t,
    }));
    await suite.store.client.insert({ table: 'mentions', values: rows, format: 'JSONEachRow' });
    const q = async (sql: string) =>
      (await (await suite.store.client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, unknown>>()).map((r) =>
        Object.values(r).map(String).join(' '),
      );
    expect(await q("SELECT hour, sum(mentions) FROM mention_stats_1h WHERE brand = 'acme' GROUP BY hour ORDER BY hour")).toEqual([
      '2026-11-20 08:00:00 2',
      '2026-11-20 09:00:00 1',
    ]);
    expect(await q("SELECT count() FROM (SELECT minute FROM mention_stats_1m WHERE brand = 'acme' GROUP BY minute)")).toEqual(['3']);
    expect(await q("SELECT hour, sum(mentions) FROM mention_intents_1h WHERE intent = 'complaint' GROUP BY hour ORDER BY hour")).toEqual([
      '2026-11-20 08:00:00 2',
      '2026-11-20 09:00:00 1',
    ]);
  });

  it('refuses to run when an applied migration was edited, and applies new ones', async () => {
    const edited = join(suite.dir, 'migrations-edited');
    mkdirSync(edited);
    for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(edited, f));
    writeFileSync(join(edited, '900_extra.sql'), 'CREATE TABLE IF NOT EXISTS extra_table (a String) ENGINE = MergeTree ORDER BY a;\n');
    expect((await migrate(suite.store.client, quietLogger(), { migrations: loadMigrations(edited) })).applied).toEqual(['900_extra']);
    const first = readdirSync(edited).sort()[0]!;
    writeFileSync(join(edited, first), `-- edited\n${readdirSync(edited).length}`, { flag: 'a' });
    await expect(migrate(suite.store.client, quietLogger(), { migrations: loadMigrations(edited) })).rejects.toThrow(MigrationError);
    await expect(migrate(suite.store.client, quietLogger(), { migrations: loadMigrations(edited) })).rejects.toThrow(/changed after it was applied/);
  });
});
