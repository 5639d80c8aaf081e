import { describe, expect, it } from 'vitest';
import { MentionsQuerySchema, QueryError, SentimentStatsQuerySchema, parseQuery } from './query-params.js';

describe('API query parameters', () => {
  it('defaults and limits the mentions query', () => {
    expect(parseQuery(MentionsQuerySchema, {}).limit).toBe(100);
    expect(parseQuery(MentionsQuerySchema, { limit: '1000' }).limit).toBe(1000);
    expect(() => parseQuery(MentionsQuerySchema, { limit: '0' })).toThrow(QueryError);
    expect(() => parseQuery(MentionsQuerySchema, { sentiment: 'angry' })).toThrow(/sentiment/);
    expect(() => parseQuery(MentionsQuerySchema, { from: 'yesterday' })).toThrow(/from: must be an ISO 8601/);
  });

  it('reads stats intervals in m, h, d or seconds', () => {
    expect(parseQuery(SentimentStatsQuerySchema, { brand: 'a' }).interval).toBe(3600);
    expect(parseQuery(SentimentStatsQuerySchema, { brand: 'a', interval: '15m' }).interval).toBe(900);
    expect(parseQuery(SentimentStatsQuerySchema, { brand: 'a', interval: '1d' }).interval).toBe(86400);
    expect(parseQuery(SentimentStatsQuerySchema, { brand: 'a', interval: '120' }).interval).toBe(120);
    expect(() => parseQuery(SentimentStatsQuerySchema, { brand: 'a', interval: '10s' })).toThrow(/at least 1m/);
    expect(() => parseQuery(SentimentStatsQuerySchema, {})).toThrow(/brand/);
  });
});
