import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOP_WORDS, mentionToRow, mentionsEnrichedTopic, migrate, openStore, termsOf, type Store } from '@earshot/shared';
import { quietLogger, tempDir, testConfig } from './helpers.js';

/**
 * One rule for what a term is: the ops dashboard's complaint words (the complaint_terms_1h
 * view, in ClickHouse SQL) and the alerts' rising words (termsOf, in TypeScript) must name
 * the same words. Checked on the real engine (chDB).
 */
describe('complaint terms', () => {
  const dir = tempDir();
  let store: Store;
  const texts = [
    'Acme checkout FAILED again!! https://acme.example/status?id=1 @AcmeSupport help',
    "Can't log in since the update, error 502 on the log-in page. Don't you test?",
    'Le paiement échoue encore, tenté 3 fois: impossible de payer #AcmeDown',
    'Überweisung abgelehnt, Karte gesperrt? 2fa codes never arrive',
    'ok ok ok no', // nothing but short words and stop words
    STOP_WORDS.join(' '),
  ];

  beforeAll(async () => {
    store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    await migrate(store.client, quietLogger());
    const base = mentionToRow({ ...mentionsEnrichedTopic.examples[0]!, brands: ['acme'] } as never);
    await store.client.insert({
      table: 'mentions',
      values: texts.map((text, i) => ({
        ...base,
        source: 'twitter',
        id: `t${i}`,
        author_id: `a${i}`,
        text,
        intents: ['complaint'],
        intent_scores: [0.9],
        from_brand: 0,
        created_at: '2026-11-20 08:00:00.000',
      })),
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });

  it('counts, per complaint, the words termsOf finds in it', async () => {
    const rows = await (
      await store.client.query({ query: "SELECT term, sum(mentions) AS n FROM complaint_terms_1h WHERE brand = 'acme' GROUP BY term", format: 'JSONEachRow' })
    ).json<{ term: string; n: string }>();
    const stored = Object.fromEntries(rows.map((r) => [r.term, Number(r.n)]));
    const expected: Record<string, number> = {};
    for (const t of texts) for (const w of new Set(termsOf(t))) expected[w] = (expected[w] ?? 0) + 1;
    expect(stored).toEqual(expected);
    // Where the dashboard's old rule differed: accented words, hyphens, three-letter words, upper case.
    expect(expected).toMatchObject({ échoue: 1, überweisung: 1, 'log-in': 1, acme: 1, failed: 1 });
    expect(Object.keys(stored).some((w) => w.includes('acmesupport') || w.includes('example'))).toBe(false);
  });
});
