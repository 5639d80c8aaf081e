import { describe, expect, it } from 'vitest';
import type { Enrichment } from '@earshot/shared';
import { DEFAULT_LINEAR_MODEL, LinearClassifier } from './linear-classifier.js';
import { ROUTE_MARGIN, routeReason } from './routing.js';

const reading = (probs: Enrichment['sentiment']['probs'], intents: Enrichment['intents'] = []) => {
  const label = (['negative', 'neutral', 'positive'] as const).reduce((a, b) => (probs[b] > probs[a] ? b : a));
  return { sentiment: { label, score: probs.positive - probs.negative, probs }, intents };
};

describe('routing to the accurate tier', () => {
  it('sends what the fast tier is unsure of, and keeps what it is sure of', () => {
    expect(routeReason('the app', reading({ negative: 0.45, neutral: 0.2, positive: 0.45 - ROUTE_MARGIN / 2 }))).toBe('unsure');
    expect(routeReason('the app', reading({ negative: 0.05, neutral: 0.15, positive: 0.8 }))).toBeNull();
  });

  it('sends sarcasm and churn cues even when the fast tier is sure', () => {
    const sure = reading({ negative: 0.05, neutral: 0.1, positive: 0.85 });
    expect(routeReason('I love how I have to call three times to fix one bill', sure)).toBe('cue');
    expect(routeReason("Great service as always, I'm switching to another carrier", sure)).toBe('cue');
    expect(routeReason('never again', sure)).toBe('cue');
    expect(routeReason('I want to cancel my subscription', sure)).toBe('cue');
  });

  it('sends praise that the fast tier also calls a complaint', () => {
    const sure = reading({ negative: 0.05, neutral: 0.1, positive: 0.85 }, [{ label: 'complaint', score: 0.7 }]);
    expect(routeReason('wonderful, the parcel is lost', sure)).toBe('contradiction');
  });

  it("on the fast tier's own readings: the issue's sarcasm goes to the encoder, plain thanks does not", async () => {
    const fast = new LinearClassifier(DEFAULT_LINEAR_MODEL);
    const [sarcasm, thanks] = await fast.classify([
      { text: 'I love how I have to wait two weeks for a refund' },
      { text: 'Thank you so much, amazing service, love it!' },
    ]);
    expect(routeReason('I love how I have to wait two weeks for a refund', sarcasm!)).not.toBeNull();
    expect(thanks!.sentiment.label).toBe('positive');
    expect(routeReason('Thank you so much, amazing service, love it!', thanks!)).toBeNull();
  });
});
