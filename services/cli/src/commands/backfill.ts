import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Alert } from '@earshot/shared';
import { configuredBrandIds, csvImport, readBrandsFile, RejectionTally, type CsvImportOptions } from '@earshot/ingest';
import type { BackfillJob } from '@earshot/api';
import { alertLines } from '../alert-lines.js';
import { importSummary } from '../import-summary.js';
import { createProgress, fmt } from '../progress.js';
import { loadConfigOrExit } from '../config.js';

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The file's mentions as JSON lines, as POST /v1/mentions takes them: JSONL as written, CSV
 * rows converted (with `csv`, a file from another tool mapped); a CSV row that cannot be
 * converted is told to `local` (and not sent).
 */
export async function* mentionLines(
  path: string,
  csv?: CsvImportOptions,
  local?: { tally: RejectionTally; lines: number[]; notes: string[] },
): AsyncGenerator<string> {
  if (/\.csv$/i.test(path)) {
    const read = csvImport(await readFile(path, 'utf8'), csv);
    local?.notes.push(...read.notes);
    for (const item of read.items) {
      if ('error' in item) local?.tally.add(item.line, item.error, item.category);
      else {
        local?.lines.push(item.line);
        yield JSON.stringify(item.value);
      }
    }
    return;
  }
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) if (line.trim()) yield line;
}

/** The stream time a file spans: the earliest and latest `created_at` of its readable mentions. */
export async function streamSpan(path: string, csv?: CsvImportOptions): Promise<{ from: number; to: number } | null> {
  let from = Infinity;
  let to = -Infinity;
  for await (const line of mentionLines(path, csv)) {
    let t = NaN;
    try {
      t = Date.parse((JSON.parse(line) as { created_at?: string }).created_at ?? '');
    } catch {
      // An unreadable line is the ingestor's to reject, with its reason; it spans nothing.
    }
    if (!Number.isFinite(t)) continue;
    from = Math.min(from, t);
    to = Math.max(to, t);
  }
  return Number.isFinite(from) ? { from: Math.floor(from / MIN) * MIN, to: Math.ceil(to / MIN) * MIN } : null;
}

/** The newest version of each alert, in the order they opened, printed as the demo prints them. */
export function alertReport(alerts: Alert[], span: { from: number; to: number }, where: string): string {
  const latest = [...new Map(alerts.map((a) => [a.id, a])).values()].sort((a, b) => Date.parse(a.opened_at) - Date.parse(b.opened_at));
  const range = `${iso(span.from).slice(0, 16).replace('T', ' ')} – ${iso(span.to).slice(0, 16).replace('T', ' ')} UTC`;
  if (!latest.length) return `No alerts raised over ${range}.\n`;
  return [
    `Alerts raised over ${range} (${latest.length}; ${where}):`,
    ...latest.flatMap((a) => alertLines(a, Date.parse(a.opened_at), { withDate: true })),
    '',
  ].join('\n');
}

export class HttpReplayError extends Error {
  override readonly name = 'HttpReplayError';
}

interface Client {
  call(method: string, path: string, body?: { type: string; text: string }): Promise<{ status: number; json: unknown; retryAfterS: number }>;
}

function httpClient(base: string, key: string | undefined): Client {
  return {
    async call(method, path, body) {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': body.type } : {}) },
          ...(body ? { body: body.text } : {}),
        });
      } catch (err) {
        throw new HttpReplayError(
          `cannot reach ${base} (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}): is earshot run listening there?`,
        );
      }
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = { error: text.slice(0, 200) };
      }
      if (res.status === 401 || res.status === 403)
        throw new HttpReplayError(`${method} ${path}: ${(json as { error?: string }).error ?? res.status} (pass a key with --key or EARSHOT_API_KEY)`);
      return { status: res.status, json, retryAfterS: Number(res.headers.get('retry-after') ?? 1) || 1 };
    },
  };
}

const errorOf = (json: unknown) => (json as { error?: string } | null)?.error ?? JSON.stringify(json).slice(0, 200);

/**
 * Posts JSON lines in bodies under the server's limit (EARSHOT_MAX_BODY_BYTES, 1 MiB by
 * default): a body it refuses as too large is split in two and sent again, so a smaller
 * limit costs a few requests, not the import; a full queue (503) is waited out.
 */
async function postInChunks(
  client: Client,
  lines: AsyncIterable<string>,
  chunkBytes: number,
  onChunk: (r: { sent: number; accepted: number; rejected: number }) => void,
): Promise<{ sent: number; accepted: number; rejected: { record: number; reason: string }[]; rejectedTotal: number }> {
  // The server lists the first rejected items of a request and counts them all (rejected_total).
  const total = { sent: 0, accepted: 0, rejected: [] as { record: number; reason: string }[], rejectedTotal: 0 };
  let limit = chunkBytes;
  const post = async (batch: string[], first: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const { status, json, retryAfterS } = await client.call('POST', '/v1/mentions', { type: 'application/x-ndjson', text: `${batch.join('\n')}\n` });
      if (status === 202) {
        const r = json as { accepted: number; rejected: { index: number; reason: string }[]; rejected_total?: number };
        total.accepted += r.accepted;
        total.rejectedTotal += r.rejected_total ?? r.rejected.length;
        total.rejected.push(...r.rejected.map((x) => ({ record: first + x.index + 1, reason: x.reason })));
        return;
      }
      if (status === 413 && batch.length > 1) {
        // Later chunks start at the size learnt here, not at the default again.
        limit = Math.min(limit, Math.floor(batch.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0) / 2));
        const half = Math.ceil(batch.length / 2);
        await post(batch.slice(0, half), first);
        return post(batch.slice(half), first + half);
      }
      if (status === 413) {
        total.rejected.push({ record: first + 1, reason: `larger than the server's body limit (EARSHOT_MAX_BODY_BYTES)` });
        total.rejectedTotal++;
        return;
      }
      if (status === 503 && attempt < 10) {
        await sleep(retryAfterS * 1000);
        continue;
      }
      throw new HttpReplayError(`POST /v1/mentions answered ${status}: ${errorOf(json)}`);
    }
  };
  let batch: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (!batch.length) return;
    await post(batch, total.sent);
    total.sent += batch.length;
    batch = [];
    bytes = 0;
    onChunk({ sent: total.sent, accepted: total.accepted, rejected: total.rejectedTotal });
  };
  for await (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (bytes + size > limit) await flush();
    batch.push(line);
    bytes += size;
  }
  await flush();
  return total;
}

/**
 * The server stores what it accepted asynchronously (classifier, writer): wait until its
 * rollups over the span hold the accepted mentions, or stop growing (mentions matched to no
 * brand are not counted there), before detection reads them.
 */
async function whenStored(client: Client, span: { from: number; to: number }, accepted: number, progress: ReturnType<typeof createProgress>) {
  const path = `/v1/stats/volume?by=source&interval=31d&from=${iso(span.from)}&to=${iso(span.to + MIN)}`;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const { status, json } = await client.call('GET', path);
    if (status !== 200) throw new HttpReplayError(`GET /v1/stats/volume answered ${status}: ${errorOf(json)}`);
    const stored = (json as { totals: { mentions: number }[] }).totals.reduce((s, t) => s + t.mentions, 0);
    progress.update(`  waiting for the server to store them: ${fmt(stored)} of ${fmt(accepted)} stored`);
    if (stored >= accepted) return;
    if (stored !== last) [last, since] = [stored, Date.now()];
    else if (Date.now() - since > (stored > 0 ? 10_000 : 120_000)) return;
    await sleep(500);
  }
}

/** The brand ids configured in this environment (EARSHOT_BRANDS, EARSHOT_BRANDS_FILE), for a brand column's names. */
function localBrandIds(): string[] {
  const config = loadConfigOrExit(process.env);
  const file = config.EARSHOT_BRANDS_FILE ? readBrandsFile(config.EARSHOT_BRANDS_FILE, process.env, { checkSecrets: false }) : undefined;
  return configuredBrandIds(config.EARSHOT_BRANDS, file?.accounts);
}

/**
 * `earshot replay FILE --url`: the file posted to a running server in chunks, then (unless
 * `detect` is false) detection backfilled there over the file's stream time, its progress
 * followed and the alerts printed.
 */
export async function replayOverHttp(
  file: string,
  opts: { url: string; key?: string; detect: boolean; chunkBytes?: number; csv?: Omit<CsvImportOptions, 'brands'> },
): Promise<void> {
  const base = opts.url.replace(/\/+$/, '');
  const client = httpClient(base, opts.key);
  const progress = createProgress();
  const started = Date.now();
  // A mapped CSV is converted here, its brand names matched to the brands configured here.
  const csv = opts.csv && { ...opts.csv, brands: localBrandIds() };
  const local = { tally: new RejectionTally(), lines: [] as number[], notes: [] as string[] };
  const isCsv = /\.csv$/i.test(file);
  const posted = await postInChunks(client, mentionLines(file, csv, local), opts.chunkBytes ?? 768 * 1024, (r) =>
    progress.update(`  ${file} → ${base}: ${fmt(r.sent)} sent  ${fmt(r.accepted)} accepted  ${fmt(r.rejected)} rejected`),
  );
  progress.done(
    `Posted ${file} to ${base}: ${fmt(posted.sent)} records, ${fmt(posted.accepted)} accepted, ${fmt(posted.rejectedTotal)} rejected in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  for (const r of posted.rejected)
    local.tally.add(
      isCsv ? (local.lines[r.record - 1] ?? r.record) : r.record,
      r.reason,
      r.reason.startsWith('mentions none of the configured brands') ? 'unmatched' : 'schema',
    );
  process.stdout.write(
    importSummary({
      file,
      keptAs: 'accepted by the server',
      kept: posted.accepted,
      duplicates: 0,
      tally: local.tally,
      madeUpAuthors: local.notes.some((n) => n.startsWith('no author column')) ? local.lines.length : 0,
      notes: local.notes,
      unit: isCsv ? 'line' : 'record',
      unlisted: posted.rejectedTotal - posted.rejected.length,
    }),
  );
  if (!opts.detect) return;
  const span = await streamSpan(file, csv);
  if (!span || !posted.accepted) {
    process.stderr.write('No mention with a readable created_at was accepted: nothing to detect over.\n');
    return;
  }
  await whenStored(client, span, posted.accepted, progress);
  const start = await client.call('POST', '/v1/detection/backfill', {
    type: 'application/json',
    text: JSON.stringify({ from: iso(span.from), to: iso(span.to) }),
  });
  if (start.status !== 202) throw new HttpReplayError(`POST /v1/detection/backfill answered ${start.status}: ${errorOf(start.json)}`);
  let job = start.json as BackfillJob;
  while (job.status === 'running') {
    await sleep(500);
    const { status, json } = await client.call('GET', `/v1/detection/backfill/${job.id}`);
    if (status !== 200) throw new HttpReplayError(`GET /v1/detection/backfill/${job.id} answered ${status}: ${errorOf(json)}`);
    job = json as BackfillJob;
    const p = job.progress;
    progress.update(
      p.waiting_for_lead
        ? `  detection backfill ${job.id}: waiting for the server to lead detection (a stopped process's lease lasts up to 3 min)`
        : `  detection backfill ${job.id}: ${fmt(p.minutes_done)}/${fmt(p.minutes_total)} stream minutes (${p.stream_time?.slice(0, 16).replace('T', ' ') ?? '–'}), ${job.alerts.length} alerts`,
    );
  }
  if (job.status === 'failed') throw new HttpReplayError(`detection backfill ${job.id} failed: ${job.error}`);
  progress.done(`Detection backfilled over ${fmt(job.progress.minutes_total)} stream minutes (job ${job.id}).`);
  process.stdout.write(alertReport(job.alerts, span, `${base}/v1/alerts?status=all lists them`));
}
