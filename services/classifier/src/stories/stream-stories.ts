import { randomBytes } from 'node:crypto';
import { ok, type EnrichedMention, type Stage, type StoryMerge } from '@earshot/shared';
import type { StaticEmbedding } from './static-embedding.js';
import { StoryClusters, repostKey, type StoryBurstOptions, type StoryClusterOptions } from './story-clusters.js';
import { StoryLabels } from './story-labels.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Stories that burst together merge: born within 30 minutes, 5+ mentions mostly in the
 * last 2 hours, 5-minute counts correlating 0.5+, centres 0.25+ in cosine (merge is 0.6).
 * minRecent, correlation and floor chosen on Banking77 made a timed stream (`npm run
 * eval:stories:bursts`: bursts of its even-numbered issues, seeds 1-3) over 3/5, 0.5/0.7
 * and 0.1/0.25: the fewest stories a burst is split into, with no merge of two issues;
 * bin, window and bornWithin set, not searched.
 */
export const STREAM_BURST_OPTIONS: StoryBurstOptions = { bin: 5 * MINUTE, bins: 24, bornWithin: 30 * MINUTE, minRecent: 5, correlation: 0.5, floor: 0.25 };

/**
 * The stream's options: the static embedding's, with at most 150 live stories a brand
 * (the cost per mention grows with them). 150 chosen over 50/100/200/400 on Banking77's
 * tune half in a random order (NMI 67.3, accuracy 40.5; 400: 67.0, 39.8), checked on the
 * held half (71.7 / 52.7; 400: 71.9 / 52.4). A story unseen for 3 days is over: if it
 * comes back it is a new story (a product choice, not fitted). Stories that burst
 * together merge (STREAM_BURST_OPTIONS).
 */
export const STREAM_STORY_OPTIONS: StoryClusterOptions = {
  join: 0.5,
  merge: 0.6,
  mergeEvery: 200,
  fadeAfter: 3 * DAY,
  maxLive: 150,
  burst: STREAM_BURST_OPTIONS,
};

/** Texts whose repost key is kept (a few MB); past it the cache starts again. */
const MAX_CACHED_KEYS = 20_000;

/** A story's label is recomputed when its mentions reach a power of two, then every 64: labels settle early, the rest is cost. */
const relabel = (n: number) => (n & (n - 1)) === 0 || n % 64 === 0;

interface Brand {
  clusters: StoryClusters;
  labels: StoryLabels;
  /** Label and the mention count it was made at, per story. */
  named: Map<string, { label: string; at: number }>;
  mentions: Map<string, number>;
  /** Merges since the brand's last mention was assigned: that mention carries them. */
  merges: StoryMerge[];
}

/**
 * Stories in the stream: each mention joins a story within its first brand (or '' when
 * it has none), clustered online on the static embedding with the mention's event time
 * as the clock. State lives in this process: a restart starts new stories, with ids that
 * never repeat earlier ones (a random run prefix).
 */
export class StreamStories {
  private readonly brands = new Map<string, Brand>();
  private readonly keys = new Map<string, string>();
  private readonly prefix: string;
  private born = 0;

  constructor(
    private readonly embedding: StaticEmbedding,
    private readonly opts: StoryClusterOptions = STREAM_STORY_OPTIONS,
    prefix?: string,
  ) {
    this.prefix = prefix ?? `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  }

  private brand(name: string): Brand {
    let b = this.brands.get(name);
    if (!b) {
      const labels = new StoryLabels();
      const named = new Map<string, { label: string; at: number }>();
      const mentions = new Map<string, number>();
      const merges: StoryMerge[] = [];
      // A faded story's counts go (its mentions keep their label); a merged one's fold into the larger.
      const listener = {
        faded: (id: string) => {
          labels.forget(id);
          named.delete(id);
          mentions.delete(id);
        },
        merged: (from: string, into: string) => {
          labels.merge(from, into);
          mentions.set(into, (mentions.get(into) ?? 0) + (mentions.get(from) ?? 0));
          mentions.delete(from);
          named.delete(from);
          named.delete(into);
          merges.push({ from, into });
        },
      };
      const clusters = new StoryClusters(this.opts, () => `${this.prefix}-${(this.born++).toString(36)}`, listener);
      b = { clusters, labels, named, mentions, merges };
      this.brands.set(name, b);
    }
    return b;
  }

  /** A text's repost key, cached: most of a stream's mentions repeat a text seen shortly before. */
  private keyOf(text: string): string {
    let key = this.keys.get(text);
    if (key !== undefined) return key;
    key = repostKey(text);
    if (this.keys.size >= MAX_CACHED_KEYS) this.keys.clear();
    this.keys.set(text, key);
    return key;
  }

  /**
   * Sets `story_id` and `story_label` on each mention, and `story_merges` on one whose
   * assignment merged stories, in place (the classify stage made
   * these objects for this batch; a copy of each cost more than the clustering), and
   * returns them in the same order.
   */
  assign(mentions: EnrichedMention[]): EnrichedMention[] {
    for (const m of mentions) {
      const text = m.title ? `${m.title} ${m.text}` : m.text;
      const b = this.brand(m.brands[0] ?? '');
      const key = this.keyOf(text);
      // Embedded only when not a repost; resolved: the merge pass that closes an assignment may fold this very story into a larger one.
      const story = b.clusters.resolve(b.clusters.assign(() => this.embedding.embed(text), text, Date.parse(m.created_at), key).story);
      // Labelled from the repost key: a repost's terms are its original's, counted once per text.
      b.labels.add(story, key);
      const n = (b.mentions.get(story) ?? 0) + 1;
      b.mentions.set(story, n);
      let named = b.named.get(story);
      if (!named || (named.at !== n && relabel(n))) b.named.set(story, (named = { label: b.labels.label(story), at: n }));
      m.story_id = story;
      m.story_label = named.label;
      // Published once, on the mention whose assignment merged them (the writer stores them,
      // and readers count mentions stored under `from` in `into`); nothing when none merged.
      if (b.merges.length) m.story_merges = b.merges.splice(0);
    }
    return mentions;
  }
}

/**
 * The classifier's story stage: every mention on with its story, or unchanged when stories
 * are off. Partitions' batches that reach it in the same turn of the event loop (those the
 * adaptive tier's encoder read in one call, or a backlog's) are assigned together, in event
 * time order: a brand's mentions are spread over the partitions, and one partition's batch
 * after another's would hand the clustering a brand's hours out of order.
 */
export function storyStage(stories: StreamStories | undefined): Stage<EnrichedMention, EnrichedMention> {
  if (!stories) return (mentions) => mentions.map(ok);
  let waiting: { mentions: EnrichedMention[]; done: (err?: unknown) => void }[] = [];
  const assignWaiting = () => {
    const batches = waiting;
    waiting = [];
    try {
      const all = batches.length === 1 ? batches[0]!.mentions : inEventTimeOrder(batches.flatMap((b) => b.mentions));
      stories.assign(all);
      for (const b of batches) b.done();
    } catch (err) {
      for (const b of batches) b.done(err);
    }
  };
  return async (mentions) => {
    await new Promise<void>((resolve, reject) => {
      waiting.push({ mentions, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (waiting.length === 1) setImmediate(assignWaiting);
    });
    return mentions.map(ok);
  };
}

/** Mentions by event time, ties in the order given. */
function inEventTimeOrder(mentions: EnrichedMention[]): EnrichedMention[] {
  const t = mentions.map((m) => Date.parse(m.created_at));
  return mentions
    .map((_, i) => i)
    .sort((a, b) => t[a]! - t[b]! || a - b)
    .map((i) => mentions[i]!);
}
