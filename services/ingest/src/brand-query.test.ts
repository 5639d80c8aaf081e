import { describe, expect, it } from 'vitest';
import { BrandQueryError, parseBrandQuery } from './brand-query.js';

const m = (text: string, extra: { title?: string; lang?: string; source?: string } = {}) => ({ text, ...extra });

describe('brand queries', () => {
  it.each([
    ['acme', 'I love Acme!', true],
    ['acme', 'acmetools is different', false],
    ['"acme mobile"', 'switching to ACME   Mobile today', true],
    ['"acme mobile"', 'acme is mobile', false],
    ['@acmemobile', 'hey @AcmeMobile help', true],
    ['@acmemobile', 'acmemobile without at', false],
    ['#acme', 'great day #Acme', true],
    ['acme OR globex', 'globex coffee', true],
    ['acme globex', 'acme only', false],
    ['acme AND globex', 'acme vs globex', true],
    ['acme NOT job', 'acme job opening', false],
    ['acme -job', 'acme is down', true],
    ['(acme OR globex) AND (outage OR down)', 'globex app is down', true],
    ['(acme OR globex) AND (outage OR down)', 'globex app is great', false],
    ['acme OR globex AND down', 'acme fine', true],
    ['NOT (acme OR globex)', 'initech', true],
    ['acme lang:en', 'acme', false],
    ['acme source:twitter', 'acme', false],
  ])('%s on "%s" → %s', (query, text, expected) => {
    expect(parseBrandQuery(query)(m(text))).toBe(expected);
  });

  it('filters on language and source, and reads review titles', () => {
    expect(parseBrandQuery('acme lang:en source:twitter')(m('acme', { lang: 'en', source: 'twitter' }))).toBe(true);
    expect(parseBrandQuery('acme lang:en')(m('acme', { lang: 'de' }))).toBe(false);
    expect(parseBrandQuery('acme')(m('five stars', { title: 'Acme rocks' }))).toBe(true);
  });

  it.each([
    ['', /empty query at column 1/],
    ['acme OR', /expected a term after OR at column 6/],
    ['(acme OR globex', /missing '\)' for the '\(' opened at column 1/],
    ['acme)', /unexpected '\)' at column 5/],
    ['"acme mobile', /unclosed quote at column 1/],
    ['acme AND AND globex', /expected a term after AND at column 6/],
    ['NOT', /expected a term after NOT at column 1/],
    ['lang:', /lang: needs a value at column 1/],
    ['""', /empty phrase at column 1/],
  ])('refuses %j: %s', (query, message) => {
    expect(() => parseBrandQuery(query)).toThrow(BrandQueryError);
    expect(() => parseBrandQuery(query)).toThrow(message);
  });
});
