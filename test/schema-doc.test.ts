import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchemaDoc } from '@earshot/shared';
import { migratedStoreForSuite } from './helpers.js';

const DOC = new URL('../docs/schema.md', import.meta.url).pathname;

describe('docs/schema.md', () => {
  const suite = migratedStoreForSuite();

  it('states the schema the migrations build today (npm run docs:schema rewrites it)', async () => {
    const now = await renderSchemaDoc(suite.store.client, suite.store.database);
    expect(now).toContain('CREATE TABLE mentions');
    expect(readFileSync(DOC, 'utf8'), 'docs/schema.md is out of date: run npm run docs:schema').toBe(now);
  });
});
