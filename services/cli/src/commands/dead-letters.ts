import { DeadLetterReads, openStore } from '@earshot/shared';
import { loadConfigOrExit } from '../config.js';

/** `earshot dead-letters [--origin O] [--since 7d] [--limit N]`: what was refused and why, from the store. */
export async function deadLettersCommand(opts: { origin?: string; sinceMs: number; limit: number }): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const store = await openStore(config);
  try {
    const since = new Date(Date.now() - opts.sinceMs).toISOString();
    const { items, reasons, total } = await new DeadLetterReads(store.client).list({ origin: opts.origin, since, limit: opts.limit });
    const out = process.stdout;
    if (total === 0) {
      out.write(`No dead letters since ${since}${opts.origin ? ` from ${opts.origin}` : ''} in ${store.where}.\n`);
      return;
    }
    out.write(`${total} dead letters since ${since}, by reason:\n`);
    for (const r of reasons) out.write(`  ${String(r.count).padStart(6)}  ${r.origin}  ${r.stage}  ${r.reason}\n`);
    out.write(`\nThe newest ${items.length}:\n`);
    for (const i of items) out.write(`  ${i.at}  ${i.origin}  ${i.stage}  ${i.reason}\n      ${i.payload.slice(0, 160).replace(/\s+/g, ' ')}\n`);
  } finally {
    await store.close();
  }
}
