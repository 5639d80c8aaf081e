import { describe, expect, it } from 'vitest';
import { createBrandMatcher, loadBrandQueries } from './brand-matcher.js';

describe('createBrandMatcher', () => {
  const match = createBrandMatcher({ acme: ['acme', '@acmemobile', 'acme mobile'], globex: ['globex', '#globex'] });

  it('matches keywords case-insensitively on word boundaries', () => {
    expect(match({ text: 'Loving my ACME phone' })).toEqual(['acme']);
    expect(match({ text: 'hey @AcmeMobile fix this' })).toEqual(['acme']);
    expect(match({ text: "acme's app and #Globex coffee" })).toEqual(['acme', 'globex']);
    expect(match({ text: 'acmetools is a different company' })).toBeNull();
    expect(match({ text: 'nothing here' })).toBeNull();
  });

  it('keeps brands the producer set and looks at the title of a review', () => {
    expect(match({ text: 'whatever', brands: ['initech'] })).toEqual(['initech']);
    expect(match({ text: 'five stars', title: 'Globex rocks' })).toEqual(['globex']);
  });

  it('passes everything through when no brands are configured', () => {
    const open = createBrandMatcher({});
    expect(open({ text: 'anything' })).toEqual([]);
  });
});

describe('brand queries from a file', () => {
  const file = (brands: unknown) => () => JSON.stringify({ brands });

  it('matches mentions with each brand\'s query, beside keyword lists', () => {
    const queries = loadBrandQueries('brands.json', file([{ id: 'acme', query: '(acme OR @acmemobile) NOT job lang:en' }]));
    const match = createBrandMatcher({ globex: ['globex'] }, queries);
    expect(match({ text: '@AcmeMobile is down', lang: 'en' })).toEqual(['acme']);
    expect(match({ text: 'acme job fair', lang: 'en' })).toBeNull();
    expect(match({ text: 'acme and globex', lang: 'en' })).toEqual(['globex', 'acme']);
  });

  it('names the file, the brand and the column of a bad query', () => {
    expect(() => loadBrandQueries('brands.json', file([{ id: 'acme', query: 'acme OR' }]))).toThrow('brands.json: brand acme: expected a term after OR at column 6');
    expect(() => loadBrandQueries('brands.json', () => '{"brands": [{"id": "Acme"}]}')).toThrow(/brands\.json: brands\.0\.id: brand ids are lower-case.*brands\.0\.query/);
    expect(() => loadBrandQueries('brands.json', () => '{oops')).toThrow(/^brands\.json: /);
  });
});
