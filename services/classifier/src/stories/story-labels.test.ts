import { describe, expect, it } from 'vitest';
import { StoryLabels, termsAndPhrases } from './story-labels.js';

describe('story labels (c-TF-IDF)', () => {
  it('a story is named by a phrase its own mentions share and others do not', () => {
    const l = new StoryLabels();
    for (const t of ['My payment was declined at checkout', 'payment declined at checkout, twice!', 'Why is my payment declined at checkout?']) l.add('a', t);
    for (const t of ['When will my new card arrive?', 'my card has not arrived yet', 'card still not arrived after a week']) l.add('b', t);
    expect(l.label('a')).toMatch(/^(payment )?declined at checkout$/);
    expect(l.label('b')).toMatch(/card|arrived/);
    l.merge('b', 'a');
    expect(l.label('b')).toBe('');
  });

  it('what every story of the brand says (its name) does not make a label; a phrase never spans a clause or ends on a stopword', () => {
    const l = new StoryLabels();
    const texts = {
      outage: ['Globex Coffee app crashed at checkout. Awful', 'Globex Coffee app crashed at checkout again!', 'globex coffee app crashed at checkout, fix it'],
      rewards: ['Love my Globex Coffee rewards card', 'Globex Coffee rewards card is great', 'got a free drink on my Globex Coffee rewards card'],
      latte: ['Globex Coffee oat latte is lovely', 'the oat latte at Globex Coffee, wow', 'Globex Coffee oat latte every morning'],
    };
    for (const [story, own] of Object.entries(texts)) for (const t of own) l.add(story, t);
    expect(l.label('outage')).toMatch(/^(app crashed|(app )?crashed at checkout)$/);
    expect(l.label('rewards')).toBe('rewards card');
    expect(l.label('latte')).toBe('oat latte');
    expect(termsAndPhrases('Crashed at checkout. Awful, fix it').phrases).toEqual(['crashed at checkout']);
  });
  it('reposts counted when a story is labelled give the labels counting each one as it comes gives, also past the trim of a long story', () => {
    const word = (i: number) => `wx${i.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)]!)}`;
    for (const labelEach of [true, false]) {
      const l = new StoryLabels();
      // 800 one-off words, then "kiwi": the story passes 800 terms and keeps its 400 most
      // counted (ties: the first met), so "kiwi" goes and counts again from its next mention.
      for (let i = 0; i < 800; i++) l.add('a', word(i));
      l.add('a', 'kiwi');
      for (let i = 0; i < 2; i++) {
        l.add('a', 'kiwi mango');
        if (labelEach) l.label('a');
      }
      // kiwi 2 (3 had it not been trimmed) and mango 2 in the story; mango the rarer overall.
      expect(l.label('a')).toBe('mango kiwi');
    }
  });
});
