import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics every stream exports, on one registry passed to whoever needs it
 * (no global registry, so tests and several services in one process each count their own).
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'earshot_process_' });
  // One registry for all: each metric is registered on it as it is made.
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const gauge = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string = never>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []) =>
    new Histogram<L>({ name, help, buckets, labelNames, registers: [registry] });
  const m = {
    registry,
    batchSize: histogram(
      'earshot_consumer_batch_size',
      'Messages per batch handed to a consumer stage',
      [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
      ['group', 'topic'],
    ),
    batchFill: histogram(
      'earshot_consumer_batch_fill_ratio',
      'Batch size divided by the configured maximum',
      [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1],
      ['group', 'topic'],
    ),
    consumerStageSeconds: histogram(
      'earshot_consumer_stage_seconds',
      'Time one stage of a consumer took over a batch',
      [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      ['consumer', 'stage'],
    ),
    consumerDropped: counter('earshot_consumer_dropped_total', 'Values a consumer stage dropped on purpose (not bad input)', ['consumer', 'stage']),
    rowWait: histogram('earshot_row_wait_seconds', 'Time from ingest to the row being stored', [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]),
    writeLatency: histogram(
      'earshot_store_write_seconds',
      'ClickHouse insert latency per batch',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      ['table'],
    ),
    rowsWritten: counter('earshot_store_rows_written_total', 'Rows inserted', ['table']),
    rowsDuplicate: counter('earshot_store_rows_duplicate_total', 'Redelivered rows recognised as already stored and skipped', ['table']),
    writeErrors: counter('earshot_store_write_errors_total', 'Failed insert attempts', ['table', 'retryable']),
    deadLetters: counter('earshot_deadletter_total', 'Messages sent to the dead-letter topic', ['origin', 'stage']),
    consumerLag: gauge('earshot_consumer_lag', 'Messages behind the end of the partition', ['group', 'topic', 'partition']),
    handlerRetries: counter('earshot_consumer_handler_retries_total', 'Batches retried after a failed handler (nothing is committed until it succeeds)', [
      'group',
      'topic',
    ]),
    ingestAccepted: counter('earshot_ingest_accepted_total', 'Mentions accepted by ingest', ['via']),
    ingestRejected: counter('earshot_ingest_rejected_total', 'Mentions or requests rejected by ingest', ['via', 'reason']),
    ingestUnmatched: counter('earshot_ingest_unmatched_total', 'Mentions that matched no brand and were dropped', ['via']),
    classified: counter('earshot_classifier_mentions_total', 'Mentions enriched', ['model']),
    classifyLatency: histogram('earshot_classifier_batch_seconds', 'Classifier time per batch', [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
    alertsOpen: gauge('earshot_alerts_open', 'Open alerts', ['kind', 'brand', 'severity']),
    alertVersions: counter('earshot_alert_versions_total', 'Alert versions published (opened, updated, resolved)', ['kind', 'status']),
    notifyFailures: counter('earshot_notify_failures_total', 'Failed notification attempts', ['notifier']),
    rateLimited: counter('earshot_http_rate_limited_total', 'Requests to expensive endpoints refused with 429 (EARSHOT_RATE_LIMIT_PER_MINUTE)', ['caller']),
    detectorRuns: histogram(
      'earshot_detector_run_seconds',
      'Time of one detector run over every brand',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ['leader'],
    ),
    connectorRuns: counter(
      'earshot_connector_runs_total',
      'Connector polls, stream connections and refreshes by outcome (ok, failed, rate_limited, connected, disconnected)',
      ['connector', 'type', 'outcome'],
    ),
    connectorMentions: counter('earshot_connector_mentions_total', 'Mentions a connector handed to ingest (repeats dropped)', ['connector', 'type']),
    connectorUnusable: counter('earshot_connector_unusable_total', 'Source items that could not be read, sent to the dead-letter topic', ['connector', 'type']),
    connectorNotices: counter(
      'earshot_connector_notices_total',
      'Things a connector reported though it worked (a gap the source can no longer fill, say); the latest is in /healthz',
      ['connector', 'type'],
    ),
    connectorBudgetRemaining: gauge('earshot_connector_budget_remaining', 'Items a connector with monthly_read_budget may still read this month', [
      'connector',
      'type',
    ]),
    connectorUp: gauge('earshot_connector_up', "1 when the connector's last attempt worked (or its stream is connected), else 0", ['connector', 'type']),
    connectorLastSuccess: gauge('earshot_connector_last_success_seconds', "Unix time of the connector's last successful poll or stream message", [
      'connector',
      'type',
    ]),
    erasedDropped: counter('earshot_erased_author_dropped_total', 'Mentions not stored because their author asked to be erased'),
    engagementRefreshed: counter('earshot_engagement_refreshed_total', 'Engagement updates published for recent mentions', ['connector']),
  };
  return m;
}
export type Metrics = ReturnType<typeof createMetrics>;
