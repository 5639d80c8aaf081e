import { describe, expect, it } from 'vitest';
import { enrichmentFrom } from './enrichment.js';

const model = { name: 'test', version: '0' };
// What the fast tier reads in praise words, sarcastic or not: positive.
const praiseWords = { sentiment: { negative: 0.1, neutral: 0.2, positive: 0.7 }, complaint: { complaint: 0.3 } };
const labels = (text: string, probs = praiseWords) => {
  const e = enrichmentFrom(text, probs, model, 'en');
  return { sentiment: e.sentiment.label, intents: e.intents.map((i) => i.label) };
};

describe('sarcasm and churn risk (issue 42)', () => {
  it('reads sarcasm that sounds like praise as negative, and gives it no praise', () => {
    expect(labels('I love how I have to call three times to get one bill fixed')).toEqual({ sentiment: 'negative', intents: [] });
    expect(labels('@brand thanks for nothing, still no refund')).toMatchObject({ sentiment: 'negative' });
    expect(labels('cold fries and a warm drink, exactly how I like it... said no one ever').sentiment).toBe('negative');
  });

  it('leaves praise that only sounds like it alone', () => {
    expect(labels('I love how fast the new app loads, great update')).toEqual({ sentiment: 'positive', intents: ['praise'] });
    expect(labels('Great service as always, thank you!')).toEqual({ sentiment: 'positive', intents: ['praise'] });
  });

  it('does not turn a negative or neutral reading', () => {
    const neutral = { sentiment: { negative: 0.2, neutral: 0.6, positive: 0.2 }, complaint: { complaint: 0.1 } };
    expect(labels('said no one', neutral).sentiment).toBe('neutral');
  });

  it('hears a threat to leave, the issue\'s insult with "I\'ll be switching" among them, and not a cancelled order', () => {
    const angry = { sentiment: { negative: 0.8, neutral: 0.15, positive: 0.05 }, complaint: { complaint: 0.8 } };
    for (const text of [
      "your service is garbage and I'll be switching as soon as my contract ends",
      'Terminating my contract with you. Enough is enough',
      'Not renewing my storage plan, the price doubled',
      'Port my number out, I have signed with another carrier',
    ])
      expect(labels(text, angry).intents, text).toContain('churn_risk');
    const asking = { sentiment: { negative: 0.1, neutral: 0.8, positive: 0.1 }, complaint: { complaint: 0.1 } };
    expect(labels('how do I cancel my order from this morning?', asking).intents).not.toContain('churn_risk');
  });
});
