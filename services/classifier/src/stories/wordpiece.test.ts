import { describe, expect, it } from 'vitest';
import { basicTokens, wordPieces } from './wordpiece.js';

describe('BERT uncased tokenizer', () => {
  it('lowercases, strips accents and splits off punctuation', () => {
    expect(basicTokens('Café, CLOSED!! at 9pm')).toEqual(['cafe', ',', 'closed', '!', '!', 'at', '9pm']);
  });

  it('cuts words into the longest known pieces, "##" continuing a word', () => {
    const pieces = wordPieces(new Map(['un', '##want', '##ed', 'want', 'runn', '##ing'].map((t, i) => [t, i])));
    expect(pieces('unwanted')).toEqual([0, 1, 2]);
    expect(pieces('running')).toEqual([4, 5]);
    expect(pieces('xyz')).toEqual([]);
  });
});
