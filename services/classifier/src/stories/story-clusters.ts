/**
 * Online clustering of mention embeddings into stories, for one brand. A mention joins
 * the nearest live story when close enough, else starts a new one; exact reposts fold
 * into their original's story; stories that go quiet fade (are no longer matched);
 * every `mergeEvery` mentions, live stories whose centres have met merge into the
 * larger. The number of stories is never given.
 */
export interface StoryClusterOptions {
  /** Cosine to a story's centre at or above which a mention joins it. */
  join: number;
  /** Cosine between two stories' centres at or above which they merge. */
  merge: number;
  /** Mentions between merge passes. */
  mergeEvery: number;
  /** A story with no mention for this long (in the caller's time unit) is no longer matched. */
  fadeAfter: number;
  /** Most live stories kept; past it the quietest fade first (bounds the cost per mention). */
  maxLive: number;
}

export interface Assignment {
  story: string;
  /** This mention started the story. */
  born: boolean;
}

interface Story {
  id: string;
  sum: Float32Array;
  /** sum / |sum|, refreshed on every join. */
  centre: Float32Array;
  count: number;
  lastSeen: number;
}

const REPOST_MEMORY = 50_000;
const CENTRE_WARMUP = 50;

/** Text with retweet prefixes, links, handles, case and spacing removed: a repost's key. */
export const repostKey = (text: string) =>
  text
    .replace(/^rt\s+@\w+:?\s*/i, '')
    .replace(/https?:\/\/\S+|@\w+/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function normalise(sum: Float32Array, out: Float32Array): void {
  const n = Math.sqrt(dot(sum, sum)) || 1;
  for (let i = 0; i < sum.length; i++) out[i] = sum[i]! / n;
}

export class StoryClusters {
  private live: Story[] = [];
  /** A merged story's id → the id it merged into. */
  private readonly mergedInto = new Map<string, string>();
  private readonly reposts = new Map<string, string>();
  private sinceMerge = 0;
  private next = 0;
  /** Running sum of every embedding seen: what all the brand's mentions share is no story. */
  private meanSum: Float32Array | undefined;
  private seen = 0;

  constructor(
    private readonly opts: StoryClusterOptions,
    /** Makes the nth story's id (unique within the brand). */
    private readonly newId: (n: number) => string = (n) => String(n),
  ) {}

  /** The story an id now belongs to, after any merges. */
  resolve(id: string): string {
    let cur = id;
    for (let next = this.mergedInto.get(cur); next !== undefined; next = this.mergedInto.get(cur)) cur = next;
    if (cur !== id) this.mergedInto.set(id, cur);
    return cur;
  }

  /** Merges seen so far, as [from, into] pairs (into already resolved). */
  merges(): [string, string][] {
    return [...this.mergedInto.keys()].map((k) => [k, this.resolve(k)]);
  }

  liveCount(): number {
    return this.live.length;
  }

  /**
   * The embedding less the running mean of those before it, unit length: what all the
   * brand's mentions share is no story. The mean is phased in over the first
   * CENTRE_WARMUP mentions, while it is still mostly noise.
   */
  private centred(vec: Float32Array, count: boolean): Float32Array {
    this.meanSum ??= new Float32Array(vec.length);
    const k = Math.min(1, this.seen / CENTRE_WARMUP) / Math.max(1, this.seen);
    const out = new Float32Array(vec.length);
    for (let i = 0; i < vec.length; i++) out[i] = vec[i]! - this.meanSum[i]! * k;
    if (count) {
      this.seen++;
      for (let i = 0; i < vec.length; i++) this.meanSum[i]! += vec[i]!;
    }
    normalise(out, out);
    return out;
  }

  private nearest(vec: Float32Array): [Story | undefined, number] {
    let best: Story | undefined;
    let bestSim = -Infinity;
    for (const s of this.live) {
      const sim = dot(vec, s.centre);
      if (sim > bestSim) {
        bestSim = sim;
        best = s;
      }
    }
    return [best, bestSim];
  }

  /**
   * The live story of at least `minCount` mentions nearest an embedding, nothing updated:
   * a batch re-reads its mentions once the stories have formed, so an early mention is
   * not left in a story born before its real one, and strays join a story that formed.
   */
  settle(raw: Float32Array, assigned: string, minCount = 1): string {
    const vec = this.centred(raw, false);
    let best: Story | undefined;
    let bestSim = -Infinity;
    for (const s of this.live) {
      if (s.count < minCount) continue;
      const sim = dot(vec, s.centre);
      if (sim > bestSim) [bestSim, best] = [sim, s];
    }
    return best?.id ?? this.resolve(assigned);
  }

  assign(raw: Float32Array, text: string, time: number): Assignment {
    const vec = this.centred(raw, true);
    const key = repostKey(text);
    const original = key.length >= 20 ? this.reposts.get(key) : undefined;
    if (original !== undefined) {
      const story = this.resolve(original);
      const s = this.live.find((x) => x.id === story);
      if (s) {
        s.count++;
        s.lastSeen = Math.max(s.lastSeen, time);
        return { story, born: false };
      }
    }
    this.fade(time);
    let [best, bestSim] = this.nearest(vec);
    let born = false;
    if (best && bestSim >= this.opts.join) {
      for (let i = 0; i < vec.length; i++) best.sum[i]! += vec[i]!;
      normalise(best.sum, best.centre);
      best.count++;
      best.lastSeen = Math.max(best.lastSeen, time);
    } else {
      best = { id: this.newId(this.next++), sum: Float32Array.from(vec), centre: Float32Array.from(vec), count: 1, lastSeen: time };
      this.live.push(best);
      born = true;
    }
    if (key.length >= 20) {
      if (this.reposts.size >= REPOST_MEMORY) this.reposts.clear();
      this.reposts.set(key, best.id);
    }
    if (++this.sinceMerge >= this.opts.mergeEvery) this.mergePass();
    return { story: best.id, born };
  }

  private fade(time: number): void {
    if (this.live.length < this.opts.maxLive && !this.live.some((s) => time - s.lastSeen > this.opts.fadeAfter)) return;
    this.live = this.live.filter((s) => time - s.lastSeen <= this.opts.fadeAfter);
    if (this.live.length >= this.opts.maxLive) {
      // The quietest go first: fewest mentions, then longest unseen.
      this.live.sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen);
      this.live.length = this.opts.maxLive - 1;
    }
  }

  /** Merges every pair of live stories whose centres are within `merge`, larger absorbs smaller. */
  mergePass(): void {
    this.sinceMerge = 0;
    this.live.sort((a, b) => b.count - a.count);
    const gone = new Set<Story>();
    for (let i = 0; i < this.live.length; i++) {
      const big = this.live[i]!;
      if (gone.has(big)) continue;
      for (let j = i + 1; j < this.live.length; j++) {
        const small = this.live[j]!;
        if (gone.has(small) || dot(big.centre, small.centre) < this.opts.merge) continue;
        for (let d = 0; d < big.sum.length; d++) big.sum[d]! += small.sum[d]!;
        normalise(big.sum, big.centre);
        big.count += small.count;
        big.lastSeen = Math.max(big.lastSeen, small.lastSeen);
        this.mergedInto.set(small.id, big.id);
        gone.add(small);
      }
    }
    if (gone.size) this.live = this.live.filter((s) => !gone.has(s));
  }
}
