import { systemClock, createLogger } from '@earshot/shared';
import { SOURCES, buildConnectors, createBrandMatcher, readBrandsFile, type BrandsFile } from '@earshot/ingest';
import { loadConfigOrExit } from '../config.js';
import { UsageError } from '../usage-error.js';

function brandsFile(): BrandsFile & { path: string } {
  const config = loadConfigOrExit(process.env);
  const path = config.EARSHOT_BRANDS_FILE;
  if (!path) throw new UsageError('EARSHOT_BRANDS_FILE is not set: name the brands file (docs/connectors.md)');
  return { path, ...readBrandsFile(path, process.env) };
}

/**
 * `earshot sources`: checks the brands file (as `run` would at start) and lists each
 * connector with its schedule and the credentials it reads.
 */
export async function sourcesListCommand(): Promise<void> {
  const file = brandsFile();
  const rows = file.sources.map((s) => [
    s.id,
    s.brand,
    s.definition.type,
    s.definition.source,
    s.definition.type === 'webhook' ? `POST /v1/hooks/${String(s.options.name)}` : s.schedule,
    s.refresh ? `every ${s.refresh.schedule}, ${s.refresh.hours} h` : '—',
    s.definition.secrets(s.options as never).join(' ') || '—',
  ]);
  const head = ['connector', 'brand', 'type', 'source', 'schedule', 'engagement refresh', 'credentials'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write([line(head), ...rows.map(line)].join('\n') + '\n');
  const brands = Object.keys(file.accounts);
  process.stderr.write(`${file.path}: ${brands.length} brands (${brands.join(', ')}), ${file.sources.length} sources; all valid.\n`);
}

/** `earshot sources types`: every source type a brands file can name, with what it reads. */
export function sourcesTypesCommand(): void {
  const width = Math.max(...SOURCES.map((s) => s.type.length));
  process.stdout.write(SOURCES.map((s) => `${s.type.padEnd(width)}  ${s.summary}`).join('\n') + '\n');
  process.stderr.write(`${SOURCES.length} source types; their options: docs/connectors.md\n`);
}

/**
 * `earshot sources poll ID`: one poll of one connector from scratch (its look-back
 * window), printed as JSON lines with the brands each mention would carry. Nothing is
 * published and no checkpoint is touched: for checking credentials and queries.
 */
export async function sourcesPollCommand(id: string): Promise<void> {
  const file = brandsFile();
  const source = file.sources.find((s) => s.id === id);
  if (!source) throw new UsageError(`no connector "${id}" in ${file.path}; there are ${file.sources.map((s) => s.id).join(', ') || 'none'}`);
  const config = loadConfigOrExit(process.env);
  const { runnable } = buildConnectors([source], {
    env: (n) => process.env[n],
    clock: systemClock,
    retryMs: config.EARSHOT_CONNECTOR_RETRY_MS,
    signal: new AbortController().signal,
  });
  const c = runnable[0];
  if (!c || c.connector.kind !== 'poll')
    throw new UsageError(`${id} is a ${source.definition.type === 'webhook' ? 'webhook' : 'stream'}; "earshot run ingest" runs it`);
  const match = createBrandMatcher(config.EARSHOT_BRANDS, file.queries);
  const harvest = await c.connector.poll({}, { http: c.http, clock: systemClock, logger: createLogger('silent'), matches: (m) => match(m) !== null });
  let unmatched = 0;
  for (const m of harvest.mentions) {
    const brands = source.owned ? [source.brand] : match(m);
    if (brands === null) unmatched++;
    process.stdout.write(`${JSON.stringify({ ...m, brands: brands ?? [] })}\n`);
  }
  for (const u of harvest.unusable) process.stderr.write(`unusable: ${u.reason}\n`);
  process.stderr.write(
    `${id}: ${harvest.mentions.length} mentions (${unmatched} match no brand and would be dropped), ${harvest.unusable.length} unusable items.\n`,
  );
}
