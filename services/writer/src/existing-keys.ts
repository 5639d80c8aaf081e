import { erasedAuthorKey, mentionKey, type MentionTable } from '@earshot/shared';

/**
 * What the writer must know of a batch before inserting it, in one round trip:
 * - the (source, id) keys already stored: Kafka delivers at least once, and skipping
 *   what is there makes a redelivery or a replay count once, in `mentions` and in every
 *   rollup fed from it;
 * - the mentions whose authors asked to be erased, which are never stored again.
 */
export async function storedAndErased(
  mentions: MentionTable,
  batch: { source: string; id: string; author: { id: string } }[],
): Promise<{ stored: Set<string>; erased: Set<string> }> {
  if (batch.length === 0) return { stored: new Set(), erased: new Set() };
  // One hash per author, not per mention (a block holds many mentions of the same people).
  const keyOf = new Map<string, string>();
  const authorKeys = batch.map((m) => {
    const clear = `${m.source}\u0000${m.author.id}`;
    let key = keyOf.get(clear);
    if (key === undefined) keyOf.set(clear, (key = erasedAuthorKey(m.source, m.author.id)));
    return key;
  });
  const { stored, erasedAuthors } = await mentions.storedAndErased(
    batch.map((m) => [m.source, m.id] as const),
    [...keyOf.values()],
  );
  return { stored, erased: new Set(batch.filter((_, i) => erasedAuthors.has(authorKeys[i]!)).map(mentionKey)) };
}
