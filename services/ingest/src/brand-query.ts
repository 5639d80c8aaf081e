/**
 * Brand queries: a small boolean language, parsed once, applied to every mention.
 *
 *   acme OR "acme mobile" OR @acmemobile OR #acme
 *   (acme OR globex) AND (outage OR down) NOT job
 *   acme lang:en source:twitter
 *
 * Terms match whole words case-insensitively (@handles and #hashtags included);
 * "exact phrases" match word sequences; juxtaposition means AND; NOT (or a leading -)
 * negates; AND binds tighter than OR; lang: and source: filter on the mention's fields.
 */
export interface QueryTarget {
  text: string;
  title?: string;
  lang?: string;
  source?: string;
}

export type BrandQuery = (m: QueryTarget) => boolean;

export class BrandQueryError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
  }
}

type Token = { kind: 'word' | 'phrase' | 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'filter'; value: string; column: number };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    const column = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', value: c, column });
      i++;
    } else if (c === '"') {
      const end = query.indexOf('"', i + 1);
      if (end === -1) throw new BrandQueryError('unclosed quote', column);
      const phrase = query.slice(i + 1, end).trim();
      if (!phrase) throw new BrandQueryError('empty phrase', column);
      tokens.push({ kind: 'phrase', value: phrase.toLowerCase(), column });
      i = end + 1;
    } else if (c === '-' && i + 1 < query.length && !/\s/.test(query[i + 1]!)) {
      tokens.push({ kind: 'not', value: '-', column });
      i++;
    } else {
      let j = i;
      while (j < query.length && !/[\s()"]/.test(query[j]!)) j++;
      const word = query.slice(i, j);
      const upper = word.toUpperCase();
      if (word === 'AND' || word === 'OR' || word === 'NOT') tokens.push({ kind: upper.toLowerCase() as 'and' | 'or' | 'not', value: word, column });
      else if (/^(lang|source):/i.test(word)) {
        const [key, value] = word.split(':', 2) as [string, string];
        if (!value) throw new BrandQueryError(`${key}: needs a value`, column);
        tokens.push({ kind: 'filter', value: `${key.toLowerCase()}:${value.toLowerCase()}`, column });
      } else tokens.push({ kind: 'word', value: word.toLowerCase(), column });
      i = j;
    }
  }
  return tokens;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wordPattern = (w: string) => new RegExp(`(?<![\\p{L}\\p{N}_@#])${escape(w)}(?![\\p{L}\\p{N}_])`, 'iu');
const phrasePattern = (p: string) => new RegExp(`(?<![\\p{L}\\p{N}_])${p.split(/\s+/).map(escape).join('\\s+')}(?![\\p{L}\\p{N}_])`, 'iu');

/** Parses a brand query into a predicate; throws BrandQueryError with the column of the problem. */
export function parseBrandQuery(query: string): BrandQuery {
  const tokens = tokenize(query);
  if (tokens.length === 0) throw new BrandQueryError('empty query', 1);
  let pos = 0;
  const peek = () => tokens[pos];
  const endColumn = query.length + 1;

  const primary = (): BrandQuery => {
    const t = peek();
    if (!t) throw new BrandQueryError('expected a term', endColumn);
    pos++;
    switch (t.kind) {
      case 'lparen': {
        const inner = or();
        const close = peek();
        if (!close || close.kind !== 'rparen') throw new BrandQueryError("missing ')' for the '(' opened", t.column);
        pos++;
        return inner;
      }
      case 'word': {
        const re = wordPattern(t.value);
        return (m) => re.test(m.title ? `${m.title}\n${m.text}` : m.text);
      }
      case 'phrase': {
        const re = phrasePattern(t.value);
        return (m) => re.test(m.title ? `${m.title}\n${m.text}` : m.text);
      }
      case 'filter': {
        const [key, value] = t.value.split(':') as ['lang' | 'source', string];
        return (m) => (m[key] ?? '').toLowerCase() === value;
      }
      default:
        throw new BrandQueryError(`unexpected ${t.value === ')' ? "')'" : t.value}`, t.column);
    }
  };
  const unary = (): BrandQuery => {
    const t = peek();
    if (t && t.kind === 'not') {
      pos++;
      if (!peek() || ['rparen', 'and', 'or'].includes(peek()!.kind)) throw new BrandQueryError(`expected a term after ${t.value}`, t.column);
      const inner = unary();
      return (m) => !inner(m);
    }
    return primary();
  };
  const and = (): BrandQuery => {
    const parts = [unary()];
    for (;;) {
      const t = peek();
      if (!t || t.kind === 'or' || t.kind === 'rparen') break;
      if (t.kind === 'and') {
        pos++;
        if (!peek() || ['rparen', 'and', 'or'].includes(peek()!.kind)) throw new BrandQueryError('expected a term after AND', t.column);
      }
      parts.push(unary());
    }
    return parts.length === 1 ? parts[0]! : (m) => parts.every((p) => p(m));
  };
  const or = (): BrandQuery => {
    const parts = [and()];
    while (peek()?.kind === 'or') {
      const t = peek()!;
      pos++;
      if (!peek() || ['rparen', 'and', 'or'].includes(peek()!.kind)) throw new BrandQueryError('expected a term after OR', t.column);
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (m) => parts.some((p) => p(m));
  };

  const result = or();
  const rest = peek();
  if (rest) throw new BrandQueryError(rest.kind === 'rparen' ? "unexpected ')'" : `unexpected ${rest.value}`, rest.column);
  return result;
}
