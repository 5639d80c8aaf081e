import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics every stream exports, on one registry passed to whoever needs it
 * (no global registry, so tests and several services in one process each count their own).
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'earshot_process_' });
  const m = {
    registry,
    batchSize: new Histogram({
      name: 'earshot_consumer_batch_size',
      help: 'Messages per batch handed to a consumer stage',
      labelNames: ['group', 'topic'],
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
      registers: [registry],
    }),
    batchFill: new Histogram({
      name: 'earshot_consumer_batch_fill_ratio',
      help: 'Batch size divided by the configured maximum',
      labelNames: ['group', 'topic'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1],
      registers: [registry],
    }),
    rowWait: new Histogram({
      name: 'earshot_row_wait_seconds',
      help: 'Time from ingest to the row being stored',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    writeLatency: new Histogram({
      name: 'earshot_store_write_seconds',
      help: 'ClickHouse insert latency per batch',
      labelNames: ['table'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    rowsWritten: new Counter({ name: 'earshot_store_rows_written_total', help: 'Rows inserted', labelNames: ['table'], registers: [registry] }),
    rowsDuplicate: new Counter({
      name: 'earshot_store_rows_duplicate_total',
      help: 'Redelivered rows recognised as already stored and skipped',
      labelNames: ['table'],
      registers: [registry],
    }),
    writeErrors: new Counter({
      name: 'earshot_store_write_errors_total',
      help: 'Failed insert attempts',
      labelNames: ['table', 'retryable'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'earshot_deadletter_total',
      help: 'Messages sent to the dead-letter topic',
      labelNames: ['origin', 'stage'],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'earshot_consumer_lag',
      help: 'Messages behind the end of the partition',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
    }),
    handlerRetries: new Counter({
      name: 'earshot_consumer_handler_retries_total',
      help: 'Batches retried after a failed handler (nothing is committed until it succeeds)',
      labelNames: ['group', 'topic'],
      registers: [registry],
    }),
    ingestAccepted: new Counter({ name: 'earshot_ingest_accepted_total', help: 'Mentions accepted by ingest', labelNames: ['via'], registers: [registry] }),
    ingestRejected: new Counter({
      name: 'earshot_ingest_rejected_total',
      help: 'Mentions or requests rejected by ingest',
      labelNames: ['via', 'reason'],
      registers: [registry],
    }),
    ingestUnmatched: new Counter({
      name: 'earshot_ingest_unmatched_total',
      help: 'Mentions that matched no brand and were dropped',
      labelNames: ['via'],
      registers: [registry],
    }),
    classified: new Counter({ name: 'earshot_classifier_mentions_total', help: 'Mentions enriched', labelNames: ['model'], registers: [registry] }),
    classifyLatency: new Histogram({
      name: 'earshot_classifier_batch_seconds',
      help: 'Classifier time per batch',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    alertsOpen: new Gauge({ name: 'earshot_alerts_open', help: 'Open alerts', labelNames: ['kind', 'brand', 'severity'], registers: [registry] }),
    alertVersions: new Counter({
      name: 'earshot_alert_versions_total',
      help: 'Alert versions published (opened, updated, resolved)',
      labelNames: ['kind', 'status'],
      registers: [registry],
    }),
    notifyFailures: new Counter({
      name: 'earshot_notify_failures_total',
      help: 'Failed notification attempts',
      labelNames: ['notifier'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'earshot_http_rate_limited_total',
      help: 'Requests to expensive endpoints refused with 429 (EARSHOT_RATE_LIMIT_PER_MINUTE)',
      labelNames: ['caller'],
      registers: [registry],
    }),
    detectorRuns: new Histogram({
      name: 'earshot_detector_run_seconds',
      help: 'Time of one detector run over every brand',
      labelNames: ['leader'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    connectorRuns: new Counter({
      name: 'earshot_connector_runs_total',
      help: 'Connector polls, stream connections and refreshes by outcome (ok, failed, rate_limited, connected, disconnected)',
      labelNames: ['connector', 'type', 'outcome'],
      registers: [registry],
    }),
    connectorMentions: new Counter({
      name: 'earshot_connector_mentions_total',
      help: 'Mentions a connector handed to ingest (repeats dropped)',
      labelNames: ['connector', 'type'],
      registers: [registry],
    }),
    connectorUnusable: new Counter({
      name: 'earshot_connector_unusable_total',
      help: 'Source items that could not be read, sent to the dead-letter topic',
      labelNames: ['connector', 'type'],
      registers: [registry],
    }),
    connectorNotices: new Counter({
      name: 'earshot_connector_notices_total',
      help: 'Things a connector reported though it worked (a gap the source can no longer fill, say); the latest is in /healthz',
      labelNames: ['connector', 'type'],
      registers: [registry],
    }),
    connectorBudgetRemaining: new Gauge({
      name: 'earshot_connector_budget_remaining',
      help: 'Items a connector with monthly_read_budget may still read this month',
      labelNames: ['connector', 'type'],
      registers: [registry],
    }),
    connectorUp: new Gauge({
      name: 'earshot_connector_up',
      help: "1 when the connector's last attempt worked (or its stream is connected), else 0",
      labelNames: ['connector', 'type'],
      registers: [registry],
    }),
    connectorLastSuccess: new Gauge({
      name: 'earshot_connector_last_success_seconds',
      help: "Unix time of the connector's last successful poll or stream message",
      labelNames: ['connector', 'type'],
      registers: [registry],
    }),
    erasedDropped: new Counter({
      name: 'earshot_erased_author_dropped_total',
      help: 'Mentions not stored because their author asked to be erased',
      registers: [registry],
    }),
    engagementRefreshed: new Counter({
      name: 'earshot_engagement_refreshed_total',
      help: 'Engagement updates published for recent mentions',
      labelNames: ['connector'],
      registers: [registry],
    }),
  };
  return m;
}
export type Metrics = ReturnType<typeof createMetrics>;
