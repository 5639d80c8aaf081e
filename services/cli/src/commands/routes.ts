import { readFileSync } from 'node:fs';
import { AlertSchema, describeZodError } from '@earshot/shared';
import { parseRoutesFile, routingReport } from '@earshot/notifier';
import { loadConfigOrExit } from '../config.js';
import { UsageError } from '../usage-error.js';

/** `earshot routes test --alert FILE [--at TIME]`: which routes send an alert (JSON, as GET /v1/alerts/:id gives it) where, and why. */
export async function routesTestCommand(opts: { alert: string; at?: string; routes?: string }): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const path = opts.routes ?? config.EARSHOT_ROUTES_FILE;
  if (!path) throw new UsageError('no routes file: set EARSHOT_ROUTES_FILE or pass --routes FILE (docs/alerts-routing.md)');
  const file = parseRoutesFile(path, readFileSync(path, 'utf8'));
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(opts.alert, 'utf8'));
  } catch (err) {
    throw new UsageError(`${opts.alert}: not a JSON alert (${(err as Error).message})`);
  }
  const alert = AlertSchema.safeParse(raw);
  if (!alert.success) throw new UsageError(`${opts.alert}: not an alert: ${describeZodError(alert.error)}`);
  const at = opts.at === undefined ? Date.now() : Date.parse(opts.at);
  if (!Number.isFinite(at)) throw new UsageError('--at must be a date-time such as 2026-11-20T09:30:00Z');
  process.stdout.write(routingReport(file, alert.data, at));
}
