import { describe, expect, it } from 'vitest';
import { createBrandMatcher } from './brand-matcher.js';
import { loadBrandsFile } from './brands-file.js';

const YAML = `# acme listens on two sources
brands:
  - id: acme
    query: (acme OR @acmemobile) NOT job lang:en
    accounts:
      twitter: [acmehelp, acmemobile]
    sources:
      - type: hackernews
        query: acme
      - type: appstore
        app_id: "284882215"
        schedule: "*/10 * * * *"
        refresh: false
  - id: globex
    sources:
      - type: rss
        url: https://news.example.com/feed.xml
`;

describe('brands file', () => {
  it('reads brands, queries, accounts and sources from YAML, with defaults', () => {
    const f = loadBrandsFile('brands.yaml', YAML, {});
    expect(Object.keys(f.queries)).toEqual(['acme']);
    expect(f.accounts.acme).toEqual({ twitter: ['acmehelp', 'acmemobile'] });
    expect(f.sources.map((s) => [s.id, s.brand, s.schedule, s.refresh, s.owned])).toEqual([
      ['acme.hackernews', 'acme', '*/5 * * * *', { schedule: '*/5 * * * *', hours: 6 }, false],
      ['acme.appstore', 'acme', '*/10 * * * *', null, true],
      // globex has no query, so what its sources find is its own.
      ['globex.rss', 'globex', '*/15 * * * *', { schedule: '*/5 * * * *', hours: 6 }, true],
    ]);
    const match = createBrandMatcher({}, f.queries);
    expect(match({ text: '@AcmeMobile is down', lang: 'en' })).toEqual(['acme']);
    expect(match({ text: 'acme job fair', lang: 'en' })).toBeNull();
  });

  it("reads a brand's alert sensitivity, medium unless set, and refuses another word", () => {
    const f = loadBrandsFile('brands.yaml', YAML.replace('  - id: globex\n', '  - id: globex\n    alerts: {sensitivity: high}\n'), {});
    expect(f.sensitivity).toEqual({ globex: 'high' });
    expect(() => loadBrandsFile('brands.yaml', YAML.replace('  - id: globex\n', '  - id: globex\n    alerts: {sensitivity: urgent}\n'), {})).toThrow(
      /^brands\.yaml:15:\d+: brands\[1\]\.alerts\.sensitivity: /,
    );
  });

  it('can skip the secrets check, for a process that runs no connector', () => {
    const text = 'brands:\n  - id: acme\n    sources:\n      - type: x_search\n        query: acme\n';
    expect(() => loadBrandsFile('b.yaml', text, {})).toThrow(/needs EARSHOT_X_BEARER_TOKEN/);
    expect(loadBrandsFile('b.yaml', text, {}, { checkSecrets: false }).sources).toHaveLength(1);
  });

  it('reads the same from JSON', () => {
    const f = loadBrandsFile('brands.json', JSON.stringify({ brands: [{ id: 'acme', query: 'acme', sources: [{ type: 'hackernews', query: 'acme' }] }] }), {});
    expect(f.sources[0]?.id).toBe('acme.hackernews');
  });

  it.each([
    ['a bad query, at its line', YAML.replace('NOT job lang:en', 'OR'), /^brands\.yaml:4:5: brands\[0\]\.query: expected a term after OR at column 23/],
    [
      'an unknown source type',
      YAML.replace('type: hackernews', 'type: hackernoose'),
      /^brands\.yaml:8:9: brands\[0\]\.sources\[0\]\.type: unknown source type "hackernoose" \(did you mean "hackernews"\?\); one of x_search,/,
    ],
    ['a missing option', YAML.replace('        query: acme\n', ''), /^brands\.yaml:8:\d+: brands\[0\]\.sources\[0\]\.query: /],
    [
      'an option the type does not have',
      YAML.replace('        query: acme\n', '        query: acme\n        subreddit: acme\n'),
      /^brands\.yaml:10:9: brands\[0\]\.sources\[0\]\.subreddit: hackernews has no option "subreddit"/,
    ],
    [
      'a bad cron schedule',
      YAML.replace('*/10 * * * *', 'every ten minutes'),
      /^brands\.yaml:12:9: brands\[0\]\.sources\[1\]\.schedule: is not a cron expression/,
    ],
    ['a bad brand id', YAML.replace('id: globex', 'id: Globex'), /^brands\.yaml:14:5: brands\[1\]\.id: brand ids are lower-case/],
    [
      'a misspelt key',
      YAML.replace('accounts:', 'acounts:'),
      /^brands\.yaml:5:5: brands\[0\]\.acounts: unknown key \(did you mean "accounts"\?\); expected one of id, query, accounts, sources, alerts/,
    ],
    ['broken YAML', 'brands:\n  - id: acme\n   query: [', /^brands\.yaml:3:\d+: /],
    [
      'a hashtag read as a YAML comment',
      YAML.replace('NOT job lang:en', 'OR #acme'),
      /^brands\.yaml:4:5: brands\[0\]\.query: the query is cut at "#acme": in YAML " #" starts a comment; put the query in quotes/,
    ],
    ['no brands', 'brands: []', /^brands\.yaml:1:1: brands: lists no brands/],
  ])('points at the line of %s', (_what, text, error) => {
    expect(() => loadBrandsFile('brands.yaml', text, {})).toThrow(error);
  });

  it('reports every mistake at once, with what was probably meant', () => {
    const text = YAML.replace('accounts:', 'acounts:')
      .replace('type: hackernews', 'type: hackernoose')
      .replace('*/10 * * * *', 'every ten minutes')
      .replace('        refresh: false\n', '        refresh: false\n        app_idd: "1"\n')
      .replace('id: globex', 'id: Globex');
    let message = '';
    try {
      loadBrandsFile('brands.yaml', text, {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')[0]).toBe('5 problems in brands.yaml:');
    expect(message).toMatch(/brands\.yaml:5:5: brands\[0\]\.acounts: unknown key \(did you mean "accounts"\?\)/);
    expect(message).toMatch(/brands\.yaml:15:5: brands\[1\]\.id: brand ids are lower-case/);
    expect(message).toMatch(/sources\[0\]\.type: unknown source type "hackernoose" \(did you mean "hackernews"\?\)/);
    expect(message).toMatch(/sources\[1\]\.app_idd: appstore has no option "app_idd" \(did you mean "app_id"\?\)/);
    expect(message).toMatch(/sources\[1\]\.schedule: is not a cron expression/);
  });

  it('needs the secrets a source names, from the environment only', () => {
    const text = 'brands:\n  - id: acme\n    sources:\n      - type: x_search\n        query: acme\n';
    expect(() => loadBrandsFile('b.yaml', text, {})).toThrow('b.yaml:4:9: brands[0].sources[0]: x_search needs EARSHOT_X_BEARER_TOKEN set in the environment');
    expect(loadBrandsFile('b.yaml', text, { EARSHOT_X_BEARER_TOKEN: 't' }).sources).toHaveLength(1);
  });
});
