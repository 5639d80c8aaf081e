import { errorMessage } from '../bus/types.js';

/** An error ClickHouse itself raised (it carries ClickHouse's code and type), as opposed to one on the way to it. */
export const fromClickHouse = (err: unknown): err is { code: string; type: string } =>
  typeof (err as { code?: unknown })?.code === 'string' && typeof (err as { type?: unknown })?.type === 'string';

/** NOT_ENOUGH_SPACE ("Cannot reserve 1.00 MiB, not enough space", what chDB answers on a full disk). */
const NOT_ENOUGH_SPACE = '243';
/** A disk that is full or read-only, in ClickHouse's words or the OS's (as a server relays them). */
const DISK_REFUSES = /not enough space|no space left on device|ENOSPC|read-only file system|EROFS|disk quota exceeded|EDQUOT/i;

/**
 * Whether the store's disk refused the write (full, over quota, read-only). Never a
 * property of the rows: the same insert goes in once space is freed, so it is retried
 * whole, never split (a split block leaves the write journal that repairs the rollups)
 * nor dead-lettered.
 */
export function isOutOfSpace(err: unknown): boolean {
  if (fromClickHouse(err) && (err.code === NOT_ENOUGH_SPACE || err.type === 'NOT_ENOUGH_SPACE')) return true;
  return DISK_REFUSES.test(errorMessage(err));
}
