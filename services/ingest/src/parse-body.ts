/** One item of a request body: its JSON value, or why it could not be read. */
export type BodyItem = { index: number; value: unknown } | { index: number; error: string; category: RejectionCategory };

export type RejectionCategory = 'invalid_json' | 'invalid_utf8' | 'schema' | 'unmatched' | 'too_large' | 'empty';

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

/**
 * A JSON array (or one object). Bytes that are not UTF-8 are located after a lenient
 * decode: only the items containing a replacement character are rejected.
 */
function parseJson(body: Buffer): BodyItem[] {
  let text: string;
  let hadInvalidUtf8 = false;
  try {
    text = strictUtf8.decode(body);
  } catch {
    text = lenientUtf8.decode(body);
    hadInvalidUtf8 = true;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BodyError(400, `body is not valid JSON: ${(err as Error).message}`, 'invalid_json');
  }
  const values = Array.isArray(parsed) ? parsed : [parsed];
  return values.map((value, index) =>
    hadInvalidUtf8 && JSON.stringify(value).includes('\uFFFD')
      ? { index, error: 'item contains bytes that are not valid UTF-8', category: 'invalid_utf8' as const }
      : { index, value },
  );
}

export function parseMentionsBody(body: Buffer, contentType: string | undefined): BodyItem[] {
  if (body.length === 0) throw new BodyError(400, 'body is empty: send a JSON array of mentions or NDJSON, one mention a line', 'empty');
  return isNdjson(contentType, body) ? parseNdjson(body) : parseJson(body);
}
