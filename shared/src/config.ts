import { z } from 'zod';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a plain identifier (letters, digits, _)');

/**
 * Brand keyword lists: "acme=acme,acme mobile,@acmemobile;globex=globex,#globexcoffee".
 * A mention matches a brand when its text contains one of the brand's keywords (case-insensitive).
 */
const brands = z.string().transform((raw, ctx) => {
  const out: Record<string, string[]> = {};
  for (const part of raw
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, words] = part.split('=', 2).map((s) => s?.trim());
    const keywords = (words ?? '')
      .split(',')
      .map((w) => w.trim().toLowerCase())
      .filter(Boolean);
    if (!id || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id) || keywords.length === 0) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not brand=keyword,keyword (brand ids are lower-case)` });
      return z.NEVER;
    }
    out[id] = keywords;
  }
  return out;
});

/** Every EARSHOT_* variable, with its default; docs/configuration.md documents each. */
export const ConfigSchema = z.object({
  EARSHOT_DATA_DIR: z.string().min(1).default('./data'),
  EARSHOT_HOST: z.string().min(1).default('127.0.0.1'),
  /** API keys (hashed); `earshot keys` manages them. Default: EARSHOT_DATA_DIR/api-keys.json. */
  EARSHOT_KEYS_FILE: z.string().min(1).optional(),
  /** Paths served without a key even when keys exist. */
  EARSHOT_OPEN_PATHS: z
    .string()
    .default('/healthz,/metrics,/openapi.json')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  EARSHOT_PORT: int(0, 65535).default(8080),
  /** Requests a minute per API key (per client address without keys) to the expensive read endpoints; 0: no limit. */
  EARSHOT_RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(600),
  EARSHOT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EARSHOT_KAFKA_BROKERS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1))
    .optional(),
  EARSHOT_KAFKA_CLIENT_ID: z.string().min(1).default('earshot'),
  /** How long a killed consumer holds its partitions before the group gives them to another. */
  EARSHOT_KAFKA_SESSION_SECONDS: z.coerce.number().int().min(2).max(300).default(4),
  EARSHOT_TOPIC_PARTITIONS: int(1, 1024).default(6),
  /** Unset: three replicas, or every broker when there are fewer (see bus/kafka-topics.ts). */
  EARSHOT_TOPIC_REPLICATION: int(1, 16).optional(),
  EARSHOT_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"')
    .default(''),
  EARSHOT_CLICKHOUSE_URL: z.url().optional(),
  EARSHOT_CLICKHOUSE_USER: z.string().default('default'),
  EARSHOT_CLICKHOUSE_PASSWORD: z.string().optional(),
  EARSHOT_CLICKHOUSE_DATABASE: identifier.default('earshot'),
  /** A cluster of replicas in the server's remote_servers: migrations run ON CLUSTER with Replicated tables. */
  EARSHOT_CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z0-9_.{}-]{1,128}$/, 'must be a cluster name from the server\'s remote_servers (letters, digits, "_", "-", ".", or a {macro})')
    .optional(),
  EARSHOT_BRANDS: brands.default({}),
  EARSHOT_BRANDS_FILE: z.string().min(1).optional(),
  EARSHOT_CONNECTOR_RETRY_MS: int(1, 600_000).default(1000),
  EARSHOT_CONNECTOR_BACKOFF_MS: int(1, 3_600_000).default(30_000),
  EARSHOT_CONNECTOR_BACKOFF_MAX_MS: int(1, 86_400_000).default(1_800_000),
  EARSHOT_INGEST_REPLICA: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-"')
    .optional(),
  EARSHOT_BATCH_SIZE: int(1, 100_000).default(2000),
  EARSHOT_BATCH_WAIT_MS: int(0, 60_000).default(100),
  EARSHOT_QUEUE_CAPACITY: int(100, 10_000_000).default(100_000),
  /** `disk`: the in-process bus keeps its queues under EARSHOT_DATA_DIR/bus, so what ingest acknowledged survives a crash; `memory`: faster, lost on a crash. */
  EARSHOT_QUEUE_STORAGE: z.enum(['disk', 'memory']).default('disk'),
  EARSHOT_MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  /** How far past now a mention's created_at may be; later ones are rejected with the reason. */
  EARSHOT_MAX_FUTURE_SECONDS: int(0, 10 * 365 * 86_400).default(86_400),
  EARSHOT_STALL_SECONDS: int(5, 86_400).default(120),
  EARSHOT_DEMO_SECONDS: z.coerce.number().min(0).max(86_400).default(90),
  EARSHOT_DEMO_SEED: int(0, 2 ** 31 - 1).default(42),
  EARSHOT_OFFLINE: bool.default(false),
  /** adaptive: the fast tier alone until `npm run models:build` has built the encoder (docs/model-card.md). */
  EARSHOT_CLASSIFIER_TIER: z.enum(['fast', 'accurate', 'adaptive']).default('adaptive'),
  EARSHOT_CLASSIFIER_OWN_THREAD: bool.default(true),
  /** adaptive tier: the most CPU time its encoder may take beyond the host's idle time, as a share (0..1) of the process's CPU time, so that a backlog is not slowed by it (docs/model-card.md). */
  EARSHOT_CLASSIFIER_ENCODER_SHARE: z.coerce.number().min(0).max(1).default(0.02),
  /** Each enriched mention gets its story (online clustering per brand, docs/stories.md); `0` turns it off. */
  EARSHOT_STORIES: bool.default(true),
  EARSHOT_CLASSIFIER_MODEL: z.string().min(1).optional(),
  EARSHOT_CLASSIFIER_TASK: z.enum(['feature-extraction', 'text-classification']).default('feature-extraction'),
  EARSHOT_CLASSIFIER_HEADS: z.string().min(1).optional(),
  /**
   * accurate/adaptive tier: Arabic, French, German, Italian, Portuguese and Spanish mentions
   * to the multilingual encoder (docs/model-card.md). `auto` (default): when `npm run
   * models:build` has built it; `1`: required (fails with the command that builds it); `0`:
   * the English encoder for every language.
   */
  EARSHOT_CLASSIFIER_MULTILINGUAL: z
    .enum(['auto', '0', '1', 'true', 'false'])
    .default('auto')
    .transform((v) => (v === 'auto' ? v : v === '1' || v === 'true')),
  EARSHOT_CLASSIFIER_THREADS: int(1, 64).default(2),
  EARSHOT_CLASSIFIER_BATCH: int(1, 1024).default(32),
  EARSHOT_CLASSIFIER_DTYPE: z.enum(['q8', 'fp32']).default('q8'),
  EARSHOT_MODEL_CACHE_DIR: z.string().min(1).optional(),
  EARSHOT_RETENTION_DAYS: int(0, 36_500).default(0),
  EARSHOT_ROLLUP_RETENTION_DAYS: int(0, 36_500).default(0),
  EARSHOT_DETECT_CRON: z.string().min(1).default('* * * * *'),
  EARSHOT_DETECTOR_REPLICA: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-"')
    .optional(),
  EARSHOT_ALERT_WEBHOOK_URL: z.url().optional(),
  EARSHOT_CARE_WEBHOOK_URL: z.url().optional(),
  EARSHOT_CARE_HANDOFF: z.enum(['auto', 'manual']).default('auto'),
  EARSHOT_CARE_WINDOW_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  EARSHOT_CARE_MAX_UNANSWERED: int(0, 1_000_000).default(0),
  EARSHOT_CARE_MAX_REPLY_MINUTES: z.coerce
    .number()
    .min(0)
    .max(7 * 24 * 60)
    .default(0),
  EARSHOT_CARE_MIN_CONVERSATIONS: int(1, 1_000_000).default(5),
  EARSHOT_ALERT_SLACK_WEBHOOK_URL: z.url().optional(),
  /** The notifier's routing rules and channels (docs/alerts-routing.md). */
  EARSHOT_ROUTES_FILE: z.string().min(1).optional(),
  /** smtp://user:pass@host:587 (STARTTLS when offered; ?requireTLS=true insists) or smtps://…:465, for email channels. */
  EARSHOT_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/]+/, 'must look like smtp://user:password@host:587')
    .optional(),
  EARSHOT_SMTP_FROM: z.string().min(3).default('Earshot <earshot@localhost>'),
  /** The notifier routes alert versions at most this old (a backfill's history is for the digest, not for paging). */
  EARSHOT_NOTIFY_MAX_AGE_MINUTES: int(1, 525_600).default(360),
  /** The console's address as people reach it, for links in notifications (acknowledge, digest). */
  EARSHOT_CONSOLE_URL: z.url().optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses EARSHOT_* variables once; throws ConfigError naming each bad variable. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('EARSHOT_') && v !== undefined && v !== '') relevant[k] = v;
  const parsed = ConfigSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(unknown)'), message: i.message })));
  }
  if (parsed.data.EARSHOT_CLICKHOUSE_CLUSTER && !parsed.data.EARSHOT_CLICKHOUSE_URL) {
    throw new ConfigError([
      {
        variable: 'EARSHOT_CLICKHOUSE_CLUSTER',
        message: 'needs a ClickHouse server (EARSHOT_CLICKHOUSE_URL, one of the replicas): the embedded store is a single node',
      },
    ]);
  }
  return parsed.data;
}

export function topicName(config: Pick<Config, 'EARSHOT_TOPIC_PREFIX'>, name: string): string {
  return `${config.EARSHOT_TOPIC_PREFIX}${name}`;
}
