import { describe, expect, it } from 'vitest';
import { EnrichmentSchema } from '@earshot/shared';
import { LinearClassifier } from './linear-classifier.js';

/** The shipped fast-tier model (models/earshot-linear-fast.bin), loaded as the service does. */
describe('LinearClassifier (fast tier, shipped model)', () => {
  const classifier = new LinearClassifier();
  const one = async (text: string, extra: { title?: string; lang?: string } = {}) => (await classifier.classify([{ text, ...extra }]))[0]!;

  it('reads sentiment the way a person would on clear cases', async () => {
    expect((await one('I absolutely love this, best purchase ever, thank you!')).sentiment.label).toBe('positive');
    expect((await one('This is the worst service, totally useless and broken')).sentiment.label).toBe('negative');
    const neg = await one('Worst airline ever, lost my bag and nobody helps');
    expect(neg.sentiment.score).toBeLessThan(-0.3);
    expect(neg.sentiment.probs.negative + neg.sentiment.probs.neutral + neg.sentiment.probs.positive).toBeCloseTo(1, 3);
  });

  it('finds several intents in one mention and places it in the journey', async () => {
    const e = await one('@AcmeMobile why is my internet down again?? Third outage this week, fix it');
    const labels = e.intents.map((i) => i.label);
    expect(labels).toContain('complaint');
    expect(labels).toContain('question');
    expect(e.journey_stage).toBe('service');
    expect((await one('Thinking about switching to the Acme unlimited plan, is it worth it?')).intents.map((i) => i.label)).toContain('purchase_intent');
    expect((await one("I'm cancelling my contract and switching to Globex, done with you")).intents.map((i) => i.label)).toContain('churn_risk');
    expect((await one('Love the new app, the team did an amazing job!')).journey_stage).toBe('loyalty');
  });

  it('reads a support question as a question, not as negative; promotions as spam, not purchase intent', async () => {
    // From the demo: this was stored as negative (-0.76) before the distilled sentiment head.
    const q = await one('How do I reset the billing page on Initech Cloud?');
    expect(q.sentiment.label).not.toBe('negative');
    expect(q.intents.map((i) => i.label)).toContain('question');
    const promo = (await one('Sign up with Acme and get cash back! Enter to win a free phone #giveaway https://t.co/x')).intents.map((i) => i.label);
    expect(promo).toContain('spam');
    expect(promo).not.toContain('purchase_intent');
    expect((await one('@Acme are you ever bringing back the pumpkin shake?')).intents.map((i) => i.label)).toContain('feature_request');
    expect((await one('@Acme thanks, that fixed it! Great service')).intents.map((i) => i.label)).toContain('praise');
  });

  it('does not call ordinary complaints and questions to a brand hateful', async () => {
    // Trained on HatEval alone (tweets about immigrants and women), the head called one tweet to a brand in nine hateful.
    const ordinary = [
      '@AcmeStore I want to pick up this jacket in your store on Main Street.',
      '@AcmeHelp hello, do you still have the blue dress from the spring collection in size 10?',
      '@AcmePower when will power be restored in our street? We have been waiting since Monday',
      '@AcmeHelp are you doing a sale after Christmas this year?',
      'Worst customer service ever, 40 minutes on hold and then they hung up on me',
      '@AcmeTV if I connect the soundbar by HDMI will I get audio from the TV too?',
    ];
    for (const e of await classifier.classify(ordinary.map((text) => ({ text })))) expect(e.toxicity.hateful).toBeLessThan(0.5);
  });

  it('detects the language, and keeps one the source gave', async () => {
    expect((await one('The delivery was late again and nobody answered my emails')).lang).toBe('en');
    // Short English replies to brands share words with German; the head alone called this one German.
    expect((await one('@AcmeService Ah great, thanks!')).lang).toBe('en');
    // Romanised Hindi, code-mixed with English, as Indian customers write to brands.
    expect((await one('@AcmeIndia mera order abhi tak nahi aaya, kya ho raha hai?')).lang).toBe('hi');
    expect((await one('@AcmeIndia where is my order? It has not come yet')).lang).toBe('en');
    expect((await one('Das ist wirklich eine Katastrophe, ich bin sehr enttäuscht vom Kundendienst')).lang).toBe('de');
    expect((await one('El servicio es terrible, nadie me responde desde hace una semana')).lang).toBe('es');
    expect((await one('الخدمة سيئة جدا ولا أحد يرد على الهاتف')).lang).toBe('ar');
    expect((await one('whatever', { lang: 'nl' })).lang).toBe('nl');
  });

  it('gives every awkward input a defined result and never throws', async () => {
    const inputs = ['', '   ', '😡😡😡', 'x'.repeat(100_000), 'Отличный сервис but 最悪 ﷽ \u0000', Buffer.from([0x61, 0xff, 0x62]).toString('utf8')];
    const out = await classifier.classify(inputs.map((text) => ({ text })));
    expect(out).toHaveLength(inputs.length);
    for (const e of out) expect(EnrichmentSchema.safeParse(e).success).toBe(true);
    expect(out[0]).toMatchObject({ sentiment: { label: 'neutral', score: 0 }, intents: [], lang: 'und', journey_stage: null });
    expect(out[2]!.sentiment.label).toBe('negative');
    expect(out[2]!.emotion.anger).toBeGreaterThan(0.5);
  });
});
