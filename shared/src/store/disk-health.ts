import { errorMessage } from '../bus/types.js';
import { isOutOfSpace } from './store-errors.js';

/**
 * Whether the store's disk takes writes, as the writer last found it: red from an insert
 * refused for space (or a read-only disk) until an insert into the same table succeeds.
 * The writer then stalls and retries rather than drop anything, and an operator (or an
 * orchestrator's readiness probe) should see why nothing is being stored.
 */
export class StoreDiskHealth {
  private readonly failures = new Map<string, { error: string; since: number }>();

  constructor(private readonly now: () => number) {}

  /** Notes a failed write to `table`; only a disk error turns health red. */
  failed(table: string, err: unknown): void {
    if (!isOutOfSpace(err)) return;
    const since = this.failures.get(table)?.since ?? this.now();
    this.failures.set(table, { error: errorMessage(err), since });
  }

  succeeded(table: string): void {
    this.failures.delete(table);
  }

  check(): { ok: boolean; detail: unknown } {
    if (this.failures.size === 0) return { ok: true, detail: 'the store takes writes' };
    return {
      ok: false,
      detail: {
        state: 'store disk refuses writes; the writer retries and acknowledges nothing unstored',
        tables: Object.fromEntries([...this.failures].map(([t, f]) => [t, { error: f.error, since: new Date(f.since).toISOString() }])),
      },
    };
  }
}
