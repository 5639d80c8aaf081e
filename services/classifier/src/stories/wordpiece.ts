/**
 * BERT's uncased tokenizer (basic split, then WordPiece), enough to look tokens up in a
 * static embedding: lowercase, accents stripped, split on whitespace and punctuation,
 * each word greedily cut into the longest vocabulary pieces ("##" continues a word).
 */
export type WordPieces = (word: string) => readonly number[];

const MAX_WORD_CHARS = 100;

/** Lowercased, accent-free words and punctuation marks, as BERT's basic tokenizer splits them. */
export function basicTokens(text: string): string[] {
  const clean = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '');
  return clean.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
}

/** WordPiece ids for one basic token; a word that cannot be cut yields no ids (BERT's [UNK]). */
export function wordPieces(vocab: ReadonlyMap<string, number>): WordPieces {
  return (word) => {
    if (word.length > MAX_WORD_CHARS) return [];
    const ids: number[] = [];
    let start = 0;
    while (start < word.length) {
      let end = word.length;
      let id: number | undefined;
      while (end > start) {
        id = vocab.get(start === 0 ? word.slice(start, end) : `##${word.slice(start, end)}`);
        if (id !== undefined) break;
        end--;
      }
      if (id === undefined) return [];
      ids.push(id);
      start = end;
    }
    return ids;
  };
}
