// npm run docs:schema — writes docs/schema.md from a freshly migrated embedded store.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, migrate, openStore, renderSchemaDoc } from '@earshot/shared';

const dir = mkdtempSync(join(tmpdir(), 'earshot-schema-'));
try {
  const config = loadConfig({ EARSHOT_DATA_DIR: dir, EARSHOT_LOG_LEVEL: 'silent' });
  const store = await openStore(config);
  await migrate(store.client, createLogger('silent'));
  const doc = await renderSchemaDoc(store.client, store.database);
  await store.close();
  const target = new URL('../../docs/schema.md', import.meta.url).pathname;
  writeFileSync(target, doc);
  process.stdout.write(`wrote ${target}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
