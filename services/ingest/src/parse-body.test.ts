import { describe, expect, it } from 'vitest';
import { BodyError, parseMentionsBody } from './parse-body.js';

describe('parseMentionsBody', () => {
  it('reads a JSON array, one object, and NDJSON', () => {
    expect(parseMentionsBody(Buffer.from('[{"a":1},{"a":2}]'), 'application/json')).toEqual([
      { index: 0, value: { a: 1 } },
      { index: 1, value: { a: 2 } },
    ]);
    expect(parseMentionsBody(Buffer.from('{"a":1}'), 'application/json')).toEqual([{ index: 0, value: { a: 1 } }]);
    expect(parseMentionsBody(Buffer.from('{"a":1}\n\n{"a":2}\n'), 'application/x-ndjson')).toEqual([
      { index: 0, value: { a: 1 } },
      { index: 1, value: { a: 2 } },
    ]);
  });

  it('rejects only the NDJSON lines that are broken, with the reason', () => {
    const body = Buffer.concat([
      Buffer.from('{"a":1}\n{"a":\n'),
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
      Buffer.from('{"a":3}'),
    ]);
    const items = parseMentionsBody(body, 'application/x-ndjson');
    expect(items).toHaveLength(4);
    expect(items[0]).toEqual({ index: 0, value: { a: 1 } });
    expect(items[1]).toMatchObject({ index: 1, category: 'invalid_json' });
    expect(items[2]).toMatchObject({ index: 2, category: 'invalid_utf8', error: 'line is not valid UTF-8' });
    expect(items[3]).toEqual({ index: 3, value: { a: 3 } });
  });

  it('in a JSON array, rejects only the items holding invalid UTF-8', () => {
    const body = Buffer.concat([Buffer.from('[{"t":"ok"},{"t":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"},{"t":"fine"}]')]);
    const items = parseMentionsBody(body, 'application/json');
    expect(items[0]).toEqual({ index: 0, value: { t: 'ok' } });
    expect(items[1]).toMatchObject({ index: 1, category: 'invalid_utf8' });
    expect(items[2]).toEqual({ index: 2, value: { t: 'fine' } });
  });

  // Issue #18.8: an item that merely contains U+FFFD (sent as valid UTF-8) was rejected
  // when another item of the array held invalid bytes.
  it('keeps an item that contains a real U+FFFD beside one with invalid bytes', () => {
    const body = Buffer.concat([
      Buffer.from('[{"t":"caf\uFFFD ok"},{"t":"'),
      Buffer.from([0xff, 0xe2, 0x82]),
      Buffer.from('"},{"t":"\u00e9t\u00e9"}]', 'utf8'),
    ]);
    const items = parseMentionsBody(body, 'application/json');
    expect(items[0]).toEqual({ index: 0, value: { t: 'caf\uFFFD ok' } });
    expect(items[1]).toMatchObject({ index: 1, category: 'invalid_utf8' });
    expect(items[2]).toEqual({ index: 2, value: { t: 'été' } });
  });

  it('refuses a body that is empty or not JSON at all', () => {
    expect(() => parseMentionsBody(Buffer.alloc(0), 'application/json')).toThrow(BodyError);
    expect(() => parseMentionsBody(Buffer.from('[{"a":1},'), 'application/json')).toThrow(/not valid JSON/);
  });
});
