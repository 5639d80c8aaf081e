import { describe, expect, it } from 'vitest';
import { StoryLabels } from './story-labels.js';

describe('story labels (c-TF-IDF)', () => {
  it('a story is named by what its own mentions share and others do not', () => {
    const l = new StoryLabels();
    for (const t of ['My payment was declined at checkout', 'payment declined at checkout, twice!', 'Why is my payment declined at checkout?']) l.add('a', t);
    for (const t of ['When will my new card arrive?', 'my card has not arrived yet', 'card still not arrived after a week']) l.add('b', t);
    expect(l.label('a')).toMatch(/payment declined|declined checkout/);
    expect(l.label('b')).toMatch(/card|arrived/);
    l.merge('b', 'a');
    expect(l.label('b')).toBe('');
  });
});
