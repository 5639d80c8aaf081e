import { applyRetention, createLogger, migrate, openStore } from '@earshot/shared';
import { loadConfigOrExit } from '../config.js';

/** `earshot migrate`: applies pending ClickHouse migrations and lists them. */
export async function migrateCommand(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const logger = createLogger(config.EARSHOT_LOG_LEVEL);
  const store = await openStore(config);
  try {
    const { applied } = await migrate(store.client, logger, { cluster: config.EARSHOT_CLICKHOUSE_CLUSTER });
    await applyRetention(store.client, logger, { rawDays: config.EARSHOT_RETENTION_DAYS, hourlyDays: config.EARSHOT_ROLLUP_RETENTION_DAYS });
    process.stdout.write(applied.length ? `Applied ${applied.join(', ')} to ${store.where}\n` : `Nothing to apply: ${store.where} is up to date\n`);
  } finally {
    await store.close();
  }
}
