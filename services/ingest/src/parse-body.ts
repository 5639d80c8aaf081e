/** One item of a request body: its JSON value, or why it could not be read. */
export type BodyItem = { index: number; value: unknown } | { index: number; error: string; category: RejectionCategory };

export type RejectionCategory = 'invalid_json' | 'invalid_utf8' | 'invalid_csv' | 'schema' | 'unmatched' | 'too_large' | 'empty';

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly category: RejectionCategory,
  ) {
    super(message);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

function isNdjson(contentType: string | undefined, body: Buffer): boolean {
  const ct = (contentType ?? '').toLowerCase();
  if (/ndjson|jsonl|json-seq|jsonlines/.test(ct)) return true;
  if (ct.includes('application/json')) return false;
  const first = body.toString('utf8', 0, Math.min(body.length, 64)).trimStart()[0];
  return first !== '[';
}

/** Splits NDJSON on raw newline bytes, so one line's bad bytes never spoil its neighbours. */
function parseNdjson(body: Buffer): BodyItem[] {
  const items: BodyItem[] = [];
  let start = 0;
  let index = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.length;
    const line = body.subarray(start, end);
    start = end + 1;
    let text: string;
    try {
      text = strictUtf8.decode(line).trim();
    } catch {
      items.push({ index: index++, error: 'line is not valid UTF-8', category: 'invalid_utf8' });
      continue;
    }
    if (text === '') continue;
    const at = index++;
    try {
      items.push({ index: at, value: JSON.parse(text) });
    } catch (err) {
      items.push({ index: at, error: `line is not valid JSON: ${(err as Error).message}`, category: 'invalid_json' });
    }
  }
  return items;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function utf8SequenceAt(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const [n, min, max] =
    c >= 0xc2 && c <= 0xdf
      ? [2, 0x80, 0xbf]
      : c === 0xe0
        ? [3, 0xa0, 0xbf]
        : c === 0xed
          ? [3, 0x80, 0x9f]
          : c >= 0xe1 && c <= 0xef
            ? [3, 0x80, 0xbf]
            : c === 0xf0
              ? [4, 0x90, 0xbf]
              : c === 0xf4
                ? [4, 0x80, 0x8f]
                : c >= 0xf1 && c <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : [0, 0, 0];
  if (n === 0 || i + n > b.length) return 0;
  if (b[i + 1]! < min || b[i + 1]! > max) return 0;
  for (let k = 2; k < n; k++) if (b[i + k]! < 0x80 || b[i + k]! > 0xbf) return 0;
  return n;
}

/**
 * The body as text with every byte that is not UTF-8 replaced by `mark`, a noncharacter
 * the valid text does not contain, so the items holding bad bytes can be told from items
 * holding a real U+FFFD.
 */
function markInvalidUtf8(body: Buffer): { text: string; mark: string } {
  const lenient = lenientUtf8.decode(body);
  const mark = [...Array(32).keys()].map((k) => String.fromCharCode(0xfdd0 + k)).find((c) => !lenient.includes(c)) ?? '\uFFFD';
  let text = '';
  let start = 0;
  for (let i = 0; i < body.length;) {
    const n = utf8SequenceAt(body, i);
    if (n > 0) {
      i += n;
      continue;
    }
    text += strictUtf8.decode(body.subarray(start, i)) + mark;
    i++;
    start = i;
  }
  return { text: text + strictUtf8.decode(body.subarray(start)), mark };
}

/**
 * A JSON array (or one object). Bytes that are not UTF-8 are located: only the items
 * holding them are rejected, not items that merely contain U+FFFD.
 */
function parseJson(body: Buffer): BodyItem[] {
  let text: string;
  let mark: string | null = null;
  try {
    text = strictUtf8.decode(body);
  } catch {
    ({ text, mark } = markInvalidUtf8(body));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BodyError(400, `body is not valid JSON: ${(err as Error).message}`, 'invalid_json');
  }
  const values = Array.isArray(parsed) ? parsed : [parsed];
  return values.map((value, index) =>
    mark !== null && JSON.stringify(value).includes(mark)
      ? { index, error: 'item contains bytes that are not valid UTF-8', category: 'invalid_utf8' as const }
      : { index, value },
  );
}

export function parseMentionsBody(body: Buffer, contentType: string | undefined): BodyItem[] {
  if (body.length === 0) throw new BodyError(400, 'body is empty: send a JSON array of mentions or NDJSON, one mention a line', 'empty');
  return isNdjson(contentType, body) ? parseNdjson(body) : parseJson(body);
}
