import { conversationOf, mentionKey, type Mention } from '@earshot/shared';

/**
 * Which brands recent conversations belong to, so a reply that names neither the brand
 * nor its account ("thanks, that worked") still joins its brand's conversation. Bounded:
 * the oldest conversations are forgotten first. Per ingest process, so with several
 * ingest replicas a reply may reach one that never saw its thread.
 */
export class ConversationMemory {
  private readonly brands = new Map<string, string[]>();

  constructor(private readonly capacity = 200_000) {}

  remember(m: Pick<Mention, 'source' | 'id' | 'in_reply_to' | 'metadata'>, brands: string[]): void {
    if (brands.length === 0) return;
    const own = mentionKey(m);
    const root = conversationOf(m);
    this.refresh(own, brands);
    if (root !== m.id) this.refresh(mentionKey({ source: m.source, id: root }), brands);
    while (this.brands.size > this.capacity) this.brands.delete(this.brands.keys().next().value!);
  }

  /** Set last, so the oldest conversations are the first forgotten. */
  private refresh(key: string, brands: string[]): void {
    this.brands.delete(key);
    this.brands.set(key, brands);
  }

  /** The brands of the conversation this mention replies into, if it is a remembered one. */
  recall(m: Pick<Mention, 'source' | 'id' | 'in_reply_to' | 'metadata'>): string[] | null {
    if (!m.in_reply_to && typeof m.metadata?.thread !== 'string') return null;
    const keys = [m.in_reply_to && mentionKey({ source: m.source, id: m.in_reply_to }), mentionKey({ source: m.source, id: conversationOf(m) })].filter(
      Boolean,
    ) as string[];
    for (const k of keys) {
      const b = this.brands.get(k);
      if (b) return b;
    }
    return null;
  }
}
