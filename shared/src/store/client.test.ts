import { describe, expect, it } from 'vitest';
import { redactUrl } from './client.js';

// The start-up banner and `earshot migrate` print where the store is (issue #18.9: the
// password in EARSHOT_CLICKHOUSE_URL was printed with it).
describe('redactUrl', () => {
  it.each([
    ['https://earshot:s3cret@ch.internal:8443/', 'https://earshot:***@ch.internal:8443/'],
    ['http://ch.internal:8123/?password=s3cret&database=earshot', 'http://ch.internal:8123/?password=***&database=earshot'],
    ['http://ch.internal:8123', 'http://ch.internal:8123/'],
  ])('%s prints as %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toContain('s3cret');
  });
});
