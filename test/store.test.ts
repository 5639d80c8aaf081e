import { mkdirSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CampaignEventRowSchema,
  DeadLetterRowSchema,
  MIGRATIONS_DIR,
  MentionRowSchema,
  MigrationError,
  loadMigrations,
  migrate,
  openStore,
  type Store,
} from '@earshot/shared';
import { quietLogger, tempDir, testConfig } from './helpers.js';

/** The real ClickHouse engine (chDB): migrations and the row schemas the writer relies on. */
describe('ClickHouse store', () => {
  const dir = tempDir();
  let store: Store;
  beforeAll(async () => {
    store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    await migrate(store.client, quietLogger());
  });
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });

  const columns = async (table: string) =>
    (await (await store.client.query({ query: `DESCRIBE TABLE ${table}`, format: 'JSONEachRow' })).json<{ name: string; default_type: string }>())
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
    const again = await migrate(store.client, quietLogger());
    expect(again.applied).toEqual([]);
    const recorded = await (await store.client.query({ query: 'SELECT name, checksum FROM schema_migrations FINAL ORDER BY version', format: 'JSONEachRow' })).json();
    expect(recorded).toEqual(loadMigrations().map((m) => ({ name: m.name, checksum: m.checksum })));
  });

  it('refuses to run when an applied migration was edited, and applies new ones', async () => {
    const edited = join(dir.path, 'migrations-edited');
    mkdirSync(edited);
    for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(edited, f));
    writeFileSync(join(edited, '900_extra.sql'), 'CREATE TABLE IF NOT EXISTS extra_table (a String) ENGINE = MergeTree ORDER BY a;\n');
    expect((await migrate(store.client, quietLogger(), loadMigrations(edited))).applied).toEqual(['900_extra']);
    const first = readdirSync(edited).sort()[0]!;
    writeFileSync(join(edited, first), `-- edited\n${readdirSync(edited).length}`, { flag: 'a' });
    await expect(migrate(store.client, quietLogger(), loadMigrations(edited))).rejects.toThrow(MigrationError);
    await expect(migrate(store.client, quietLogger(), loadMigrations(edited))).rejects.toThrow(/changed after it was applied/);
  });
});
