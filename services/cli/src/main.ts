import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SERVICE_NAMES, type ServiceName } from './runtime.js';
import { runCommand } from './commands/run.js';
import { replayCommand } from './commands/replay.js';
import { migrateCommand } from './commands/migrate.js';
import { deadLettersCommand } from './commands/dead-letters.js';
import { benchCommand } from './commands/bench.js';
import { classifyCommand } from './commands/classify.js';
import { storiesCommand } from './commands/stories.js';
import { benchQueriesCommand } from './commands/bench-queries.js';
import { detectCommand } from './commands/detect.js';
import { eventsImpactCommand, eventsImportCommand } from './commands/events.js';
import { sourcesListCommand, sourcesPollCommand, sourcesTypesCommand } from './commands/sources.js';
import { keysCommand } from './commands/keys.js';
import { routesTestCommand } from './commands/routes.js';
import { UsageError } from './usage-error.js';
import { intervalSeconds } from '@earshot/api';
import { checkTimeZone, CsvMappingError, parseColumnMap, type CsvImportOptions } from '@earshot/ingest';

const HELP = `earshot: social listening and sentiment stream processor

Usage:
  earshot run [service…] [--demo]   run services in this process (all when none named)
                                    services: ${SERVICE_NAMES.join(', ')}
                                    --demo replays a bundled 3-day scenario through them
  earshot replay FILE [--no-detect] [--url http://HOST:PORT [--key K]]
                                    send a JSONL or CSV file of mentions through ingest,
                                    then run detection over its stream time and print the
                                    alerts (--no-detect skips it); --url sends it to a
                                    running server in chunks and backfills detection there
                                    (key: --key or EARSHOT_API_KEY, scopes write and read)
    [--map FIELD=COLUMN,… [--timezone ZONE] [--source NAME]]
                                    a CSV from another tool: --map names its columns
                                    (id=tweet_id,created_at=tweet_created,brand=brand_name),
                                    --timezone reads dates that carry no zone (IANA, default
                                    UTC), --source for a file with no source column
                                    (docs/importing.md); ends with a summary by reason
  earshot migrate                   apply ClickHouse migrations
  earshot dead-letters [--origin O] [--since 7d] [--limit 20]
                                    what was refused and why, by reason, newest first
  earshot sources                   check the brands file (EARSHOT_BRANDS_FILE), list its connectors
  earshot sources types             every source type a brands file can name, and what it reads
  earshot sources poll ID           one dry-run poll of a connector: mentions as JSON lines,
                                    nothing published, no checkpoint touched
  earshot classify --input FILE --output FILE.jsonl [--tier fast|accurate]
                                    enrich one text (or JSON with a "text" field) per line
  earshot stories --input FILE --output FILE.jsonl [--embedding encoder|static]
                                    group texts (one a line, or JSON with "text") into
                                    stories: {"story", "label"} per line, in order; the
                                    encoder (npm run models:build:stories) when built
  earshot events import FILE [--brand B] [--kind K]
                                    campaign/PR events from CSV or iCalendar (.ics)
  earshot events impact ID [--before 24h] [--after 24h]
                                    what an event did: before/after report as JSON
  earshot detect --input SERIES.csv --output SCORES.csv
                                    score timestamp,value rows: adds anomaly_score in [0, 1),
                                    causal, from the detection core the stream alerts use
                                    (counts if every value is a whole number >= 0);
                                    0.5: the largest surprise lately, or a new pattern
  earshot bench [--kafka] [--count N] [--rate R]
                                    push N mentions (default 100000) through the pipeline
                                    and print throughput and ingest-to-stored latency;
                                    --rate sends R mentions/s steadily instead of all at once
  earshot keys create --scope S[,S] [--name N]
                                    a new API key (scopes: read, write, care, admin),
                                    printed once; keys list | keys revoke ID
  earshot routes test --alert FILE [--at TIME] [--routes FILE]
                                    which routes (EARSHOT_ROUTES_FILE) send an alert (JSON,
                                    as GET /v1/alerts/ID gives it) to which channels, and why
  earshot bench queries [--count N]  time the brand dashboards' 30-day queries over N
                                    stored mentions (default 10 million)

Configuration comes from EARSHOT_* environment variables (docs/configuration.md).
With none set, Earshot runs embedded: in-process bus, chDB under ./data, 127.0.0.1:8080.
`;

/** `--map`, `--timezone` and `--source` as CSV import options, checked; none given: undefined. */
function csvOptions(v: { map?: string; timezone?: string; source?: string }): Omit<CsvImportOptions, 'brands'> | undefined {
  if (v.map === undefined && v.timezone === undefined && v.source === undefined) return undefined;
  try {
    return { map: v.map === undefined ? undefined : parseColumnMap(v.map), timezone: v.timezone && checkTimeZone(v.timezone), source: v.source };
  } catch (err) {
    if (err instanceof CsvMappingError) throw new UsageError(err.message);
    throw err;
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    options: {
      demo: { type: 'boolean', default: false },
      kafka: { type: 'boolean', default: false },
      count: { type: 'string' },
      rate: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      tier: { type: 'string' },
      brand: { type: 'string' },
      kind: { type: 'string' },
      scope: { type: 'string' },
      name: { type: 'string' },
      before: { type: 'string' },
      after: { type: 'string' },
      detect: { type: 'boolean', default: true },
      url: { type: 'string' },
      key: { type: 'string' },
      map: { type: 'string' },
      timezone: { type: 'string' },
      source: { type: 'string' },
      alert: { type: 'string' },
      at: { type: 'string' },
      routes: { type: 'string' },
      origin: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      embedding: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  switch (command) {
    case 'run': {
      const unknown = rest.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
      if (unknown.length) throw new UsageError(`unknown service ${unknown.join(', ')}; services are ${SERVICE_NAMES.join(', ')}`);
      return runCommand(rest as ServiceName[], { demo: values.demo });
    }
    case 'replay':
      if (rest.length !== 1) throw new UsageError('replay takes one file: earshot replay FILE.jsonl');
      if (!existsSync(rest[0]!)) throw new UsageError(`no file ${rest[0]}`);
      if (values.url !== undefined && !/^https?:\/\/[^/]+/.test(values.url)) throw new UsageError('--url must look like http://HOST:PORT');
      return replayCommand(rest[0]!, {
        detect: values.detect,
        url: values.url,
        key: values.key ?? process.env.EARSHOT_API_KEY,
        csv: csvOptions(values),
      });
    case 'migrate':
      return migrateCommand();
    case 'dead-letters': {
      const since = intervalSeconds.safeParse(values.since ?? '7d');
      if (!since.success) throw new UsageError('--since must look like 90m, 24h or 7d');
      const limit = Number(values.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
      return deadLettersCommand({ origin: values.origin, sinceMs: since.data * 1000, limit });
    }
    case 'sources':
      if (rest.length === 0) return sourcesListCommand();
      if (rest[0] === 'poll' && rest.length === 2) return sourcesPollCommand(rest[1]!);
      if (rest[0] === 'types' && rest.length === 1) return sourcesTypesCommand();
      throw new UsageError('usage: earshot sources | earshot sources types | earshot sources poll ID');
    case 'events': {
      const usage = 'usage: earshot events import FILE.csv|FILE.ics [--brand B] [--kind K] | earshot events impact ID [--before 24h] [--after 24h]';
      if (rest.length !== 2) throw new UsageError(usage);
      if (rest[0] === 'import') return eventsImportCommand(rest[1]!, { brand: values.brand, kind: values.kind });
      if (rest[0] !== 'impact') throw new UsageError(usage);
      const span = (v: string | undefined, name: string) => {
        if (v === undefined) return undefined;
        const r = intervalSeconds.safeParse(v);
        if (!r.success) throw new UsageError(`--${name} must look like 90m, 24h or 7d`);
        return r.data;
      };
      return eventsImpactCommand(rest[1]!, { beforeS: span(values.before, 'before') ?? 86_400, afterS: span(values.after, 'after') });
    }
    case 'keys':
      return keysCommand(rest, { scope: values.scope, name: values.name });
    case 'routes':
      if (rest[0] !== 'test' || rest.length !== 1 || !values.alert) throw new UsageError('usage: earshot routes test --alert FILE [--at TIME] [--routes FILE]');
      return routesTestCommand({ alert: values.alert, at: values.at, routes: values.routes });
    case 'detect':
      if (!values.input || !values.output) throw new UsageError('detect needs --input SERIES.csv and --output SCORES.csv');
      return detectCommand({ input: values.input, output: values.output });
    case 'classify': {
      if (!values.input || !values.output) throw new UsageError('classify needs --input FILE and --output FILE.jsonl');
      if (values.tier && !['fast', 'accurate', 'adaptive'].includes(values.tier)) throw new UsageError('--tier is fast, accurate or adaptive');
      return classifyCommand({ input: values.input, output: values.output, tier: values.tier });
    }
    case 'stories':
      if (!values.input || !values.output) throw new UsageError('stories needs --input FILE and --output FILE.jsonl');
      if (!existsSync(values.input)) throw new UsageError(`no file ${values.input}`);
      if (values.embedding !== undefined && values.embedding !== 'encoder' && values.embedding !== 'static')
        throw new UsageError('--embedding is encoder or static');
      return storiesCommand({ input: values.input, output: values.output, embedding: values.embedding });
    case 'bench': {
      if (rest[0] === 'queries') {
        const count = values.count === undefined ? 10_000_000 : Number(values.count);
        if (!Number.isInteger(count) || count < 1) throw new UsageError('--count must be a positive whole number');
        return benchQueriesCommand({ count, runs: 20 });
      }
      const count = values.count === undefined ? 100_000 : Number(values.count);
      if (!Number.isInteger(count) || count < 1) throw new UsageError('--count must be a positive whole number');
      const rate = values.rate === undefined ? undefined : Number(values.rate);
      if (rate !== undefined && !(rate > 0)) throw new UsageError('--rate must be a positive number of mentions per second');
      return benchCommand({ kafka: values.kafka, count, rate });
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}
