import { conversationOf, mentionKey, type EnrichedMention, type MentionTable } from '@earshot/shared';

/**
 * The conversation of each mention, by key. A reply without a thread id of its source
 * joins its parent's conversation — from this batch, or from what is stored — so a
 * chain of replies (Mastodon, reviews and their answers) stays one conversation.
 */
export async function resolveConversations(table: MentionTable, mentions: EnrichedMention[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const needsParent = (m: EnrichedMention) => Boolean(m.in_reply_to) && !(typeof m.metadata?.thread === 'string' && m.metadata.thread);
  const parents = [
    ...new Map(mentions.filter(needsParent).map((m) => [mentionKey({ source: m.source, id: m.in_reply_to! }), [m.source, m.in_reply_to!] as const])).values(),
  ];
  const stored = await table.conversations(parents);
  const byKey = new Map(mentions.map((m) => [mentionKey(m), m]));
  const resolve = (m: EnrichedMention, depth = 0): string => {
    const key = mentionKey(m);
    const known = out.get(key);
    if (known) return known;
    let conversation = conversationOf(m);
    if (needsParent(m)) {
      const parentKey = mentionKey({ source: m.source, id: m.in_reply_to! });
      const inBatch = byKey.get(parentKey);
      conversation = stored.get(parentKey) ?? (inBatch && depth < 50 ? resolve(inBatch, depth + 1) : conversation);
    }
    out.set(key, conversation);
    return conversation;
  };
  for (const m of mentions) resolve(m);
  return out;
}
