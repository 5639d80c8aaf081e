import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOURCES, loadBrandsFile } from '@earshot/ingest';

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

/** The source lists users read must name every source type and the secrets it needs. */
describe('connector documentation', () => {
  const readme = read('README.md');
  const reference = read('docs/connectors.md');
  it.each(SOURCES.map((s) => [s.type, s] as const))('%s is listed with its credentials', (type, s) => {
    expect(readme).toContain(`\`${type}\``);
    expect(reference).toContain(`| \`${type}\` |`);
    // A hook's secret variable is whatever the file names in secret_env.
    const secrets = type === 'webhook' ? ['secret_env'] : s.secrets(s.options.parse({ type, ...REQUIRED[type] }));
    for (const name of secrets) {
      expect(readme).toContain(name);
      expect(reference).toContain(name);
    }
  });
});

describe('the example brands file', () => {
  it('is valid and names every source type', () => {
    const secrets = Object.fromEntries(
      [
        'EARSHOT_X_BEARER_TOKEN',
        'EARSHOT_REDDIT_CLIENT_ID',
        'EARSHOT_REDDIT_CLIENT_SECRET',
        'EARSHOT_YOUTUBE_API_KEY',
        'EARSHOT_TRUSTPILOT_API_KEY',
        'EARSHOT_HOOK_HELPDESK_SECRET',
        'EARSHOT_YELP_API_KEY',
        'EARSHOT_GOOGLE_CLIENT_ID',
        'EARSHOT_GOOGLE_CLIENT_SECRET',
        'EARSHOT_GOOGLE_REFRESH_TOKEN',
        'EARSHOT_BLUESKY_IDENTIFIER',
        'EARSHOT_BLUESKY_APP_PASSWORD',
        'EARSHOT_GITHUB_TOKEN',
        'EARSHOT_THREADS_TOKEN',
        'EARSHOT_ASC_ISSUER_ID',
        'EARSHOT_ASC_KEY_ID',
        'EARSHOT_ASC_PRIVATE_KEY',
        'EARSHOT_META_APP_SECRET',
        'EARSHOT_META_VERIFY_TOKEN',
        'EARSHOT_INSTAGRAM_TOKEN',
      ].map((n) => [n, 'x']),
    );
    const file = loadBrandsFile('brands.example.yaml', read('infra/brands/brands.example.yaml'), secrets);
    const types = new Set(file.sources.map((s) => s.definition.type));
    expect(SOURCES.filter((s) => !types.has(s.type) && s.type !== 'mastodon_stream').map((s) => s.type)).toEqual([]);
    expect(file.sensitivity).toEqual({ acme: 'high' });
  });
});

/** Just enough options for each type to parse, so its default secret names come out. */
const REQUIRED: Record<string, Record<string, unknown>> = {
  x_search: { query: 'q' },
  x_stream: { rule: 'r' },
  reddit: { query: 'q', user_agent: 'server:com.example.earshot:1.0 (by /u/earshot_test)' },
  mastodon: { instance: 'https://m.example', hashtag: 'h' },
  mastodon_stream: { instance: 'https://m.example', hashtag: 'h' },
  bluesky: { query: 'q' },
  jetstream: {},
  youtube: { video_id: 'v' },
  hackernews: { query: 'q' },
  trustpilot: { business_unit_id: 'b' },
  yelp: { business_id: 'b' },
  google_business: { account_id: 'a', location_id: 'l' },
  appstore: { app_id: '1' },
  google_play: { package_name: 'com.x' },
  rss: { url: 'https://x.example/feed' },
  gdelt: { query: 'q' },
  stackexchange: { query: 'q' },
  github: { query: 'q' },
  github_discussions: { query: 'q' },
  youtube_search: { query: 'q' },
  threads: { query: 'q' },
  appstore_connect: { app_id: '1' },
  facebook_page: { page_id: '1' },
  instagram: { account_id: '1', username: 'u' },
  instagram_hashtags: { user_id: '1', hashtags: ['acme'] },
  webhook: { name: 'h', secret_env: 'EARSHOT_HOOK_SECRET' },
};
