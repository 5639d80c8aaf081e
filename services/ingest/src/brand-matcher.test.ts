import { describe, expect, it } from 'vitest';
import { createBrandMatcher } from './brand-matcher.js';

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
