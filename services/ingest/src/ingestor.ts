import {
  describeZodError,
  intakeMentionSchema,
  mentionsRawTopic,
  topicMessage,
  type Bus,
  type Clock,
  type Metrics,
  type RawMentionMessage,
} from '@earshot/shared';
import type { AccountMatcher, BrandMatcher } from './brand-matcher.js';
import { ConversationMemory } from './conversation-memory.js';
import type { BodyItem, RejectionCategory } from './parse-body.js';

export interface Rejection {
  index: number;
  id?: string;
  reason: string;
  category: RejectionCategory;
}

export interface IngestResult {
  accepted: number;
  /** Items repeating the source and id of an earlier one in the same call: taken once, counted once. */
  duplicates: number;
  rejected: Rejection[];
}

/**
 * Validates candidate mentions, resolves their brands, stamps the ingest time and
 * publishes the good ones to the raw topic; every other item comes back with its reason.
 * Shared by the webhook and file replay so both accept exactly the same things.
 */
export class Ingestor {
  private readonly conversations = new ConversationMemory();
  private readonly schema: ReturnType<typeof intakeMentionSchema>;

  constructor(
    private readonly deps: {
      bus: Bus;
      clock: Clock;
      metrics: Metrics;
      matchBrands: BrandMatcher;
      rawTopic: string;
      brandAccounts?: AccountMatcher;
      /** EARSHOT_MAX_FUTURE_SECONDS (default a day) past wall time (`now`, default Date.now). */
      maxFutureSeconds?: number;
      now?: () => number;
    },
  ) {
    this.schema = intakeMentionSchema({ now: deps.now ?? Date.now, maxFutureSeconds: deps.maxFutureSeconds ?? 86_400 });
  }

  async ingest(items: BodyItem[], via: string): Promise<IngestResult> {
    const { metrics, clock, matchBrands } = this.deps;
    const rejected: Rejection[] = [];
    const good: RawMentionMessage[] = [];
    const ingestedAt = new Date(clock.now()).toISOString();
    const seen = new Set<string>();
    let duplicates = 0;
    for (const item of items) {
      if ('error' in item) {
        rejected.push({ index: item.index, reason: item.error, category: item.category });
        // A brand a file names that is not configured (csv-mapping.ts) is unmatched, counted as such.
        if (item.category === 'unmatched') metrics.ingestUnmatched.inc({ via });
        continue;
      }
      const parsed = this.schema.safeParse(item.value);
      if (!parsed.success) {
        const id = (item.value as { id?: unknown } | null)?.id;
        rejected.push({ index: item.index, ...(typeof id === 'string' ? { id } : {}), reason: describeZodError(parsed.error), category: 'schema' });
        continue;
      }
      // The store keeps one mention per source and id; a second copy in one call is not a second acceptance.
      const key = `${parsed.data.source}\u0000${parsed.data.id}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      // A brand's own account speaks for that brand, and a message to it is about it, whatever the text says.
      const accounts = this.deps.brandAccounts?.(parsed.data) ?? { speaker: [], addressed: [] };
      const owners = accounts.speaker;
      const involved = [...owners, ...accounts.addressed];
      // A reply into a conversation of a brand belongs to that brand, whatever its text says.
      const matched = matchBrands(parsed.data) ?? this.conversations.recall(parsed.data);
      const brands = involved.length ? [...new Set([...(parsed.data.brands ?? []), ...(matched ?? []), ...involved])] : matched;
      if (brands === null) {
        rejected.push({
          index: item.index,
          id: parsed.data.id,
          reason: 'mentions none of the configured brands (EARSHOT_BRANDS keywords, brand queries, brand accounts)',
          category: 'unmatched',
        });
        metrics.ingestUnmatched.inc({ via });
        continue;
      }
      this.conversations.remember(parsed.data, brands);
      good.push({ ...parsed.data, brands, ...(owners.length ? { from_brand: true } : {}), ingested_at: ingestedAt });
    }
    for (const r of rejected) if (r.category !== 'unmatched') metrics.ingestRejected.inc({ via, reason: r.category });
    if (good.length > 0) {
      await this.deps.bus.publish(
        this.deps.rawTopic,
        // Built from a validated mention, its brands and the time: a raw message by construction.
        good.map((m) => topicMessage(mentionsRawTopic, m)),
      );
      metrics.ingestAccepted.inc({ via }, good.length);
    }
    return { accepted: good.length, duplicates, rejected };
  }
}
