import { HttpError, RateLimitedError, describeUrl, retryAtFrom } from './http.js';

/**
 * Lines of a long-lived HTTP response (X's NDJSON stream, Mastodon's server-sent events).
 * Throws when nothing, not even a keep-alive, arrived for `idleMs`: a silent connection
 * is a dead one, and the runner reconnects.
 */
export async function* responseLines(body: ReadableStream<Uint8Array>, idleMs: number, signal: AbortSignal): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let carry = '';
  try {
    while (!signal.aborted) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no data for ${Math.round(idleMs / 1000)} s; reconnecting`)), idleMs);
      });
      const aborted = new Promise<{ done: true; value: undefined }>((resolve) =>
        signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true }),
      );
      const chunk = await Promise.race([reader.read(), idle, aborted]).finally(() => clearTimeout(timer));
      if (chunk.done) break;
      carry += decoder.decode(chunk.value, { stream: true });
      let nl: number;
      while ((nl = carry.indexOf('\n')) !== -1) {
        yield carry.slice(0, nl).replace(/\r$/, '');
        carry = carry.slice(nl + 1);
      }
    }
    if (carry && !signal.aborted) yield carry;
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** Server-sent events (`event:` / `data:` blocks) from response lines; comments (":thump") are keep-alives. */
export async function* serverSentEvents(lines: AsyncIterable<string>): AsyncGenerator<{ event: string; data: string }> {
  let event = 'message';
  let data: string[] = [];
  for await (const line of lines) {
    if (line === '') {
      if (data.length) yield { event, data: data.join('\n') };
      event = 'message';
      data = [];
    } else if (line.startsWith(':')) continue;
    else if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
}

/** Opens a streaming GET; 429 becomes RateLimitedError with the source's retry time, other non-2xx an HttpError. */
export async function openStream(url: string, headers: Record<string, string>, signal: AbortSignal, now: () => number): Promise<ReadableStream<Uint8Array>> {
  const res = await fetch(url, { headers: { 'user-agent': 'earshot/0.1', ...headers }, signal });
  if (res.ok && res.body) return res.body;
  const text = await res.text().catch(() => '');
  if (res.status === 429) {
    const at = retryAtFrom(res.headers, now()) ?? now() + 60_000;
    throw new RateLimitedError(at, `${describeUrl(url)} answered 429; reconnecting after ${new Date(at).toISOString()}`);
  }
  throw new HttpError(res.status, `${describeUrl(url)} answered ${res.status}: ${text.slice(0, 200)}`);
}
