import { createHash } from 'node:crypto';

/**
 * How an erased author is remembered in `erased_authors`: a hash of source and author
 * id, so the suppression list that keeps them out holds no identifier in clear.
 */
export function erasedAuthorKey(source: string, authorId: string): string {
  return createHash('sha256').update(`${source}\u0000${authorId}`).digest('hex');
}
