/**
 * Online clustering of mention embeddings into stories, for one brand. A mention joins
 * the nearest live story when close enough, else starts a new one; exact reposts fold
 * into their original's story; stories that go quiet fade (are no longer matched);
 * every `mergeEvery` mentions, live stories whose centres have met merge into the
 * larger; with `burst` set, young stories that burst together merge too (one event told
 * in several sentences). The number of stories is never given.
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
  /** Merge young stories that burst together (needs a real clock: off for a timeless batch). */
  burst?: StoryBurstOptions;
}

/**
 * When two live stories are one burst: both born within `bornWithin` of each other, both
 * bursting (at least `minRecent` mentions in the recent window, `bins` x `bin`, and most of
 * their mentions in it), their counts per bin over that window correlating at or above
 * `correlation`, and their centres at least `floor` apart in cosine (well below `merge`:
 * what joins them is time, the floor only keeps unrelated bursts apart). Checked once a
 * bin of time, on bursting stories only. Times in the caller's unit.
 */
export interface StoryBurstOptions {
  bin: number;
  bins: number;
  bornWithin: number;
  minRecent: number;
  correlation: number;
  floor: number;
}

/** Told of stories leaving the live set, so whoever keeps per-story state can fold or drop it. */
export interface StoryListener {
  /** `why`: centres that met ('meaning') or a burst together ('burst'). */
  merged(from: string, into: string, why: 'meaning' | 'burst'): void;
  faded(id: string): void;
}

export interface Assignment {
  story: string;
  /** This mention started the story. */
  born: boolean;
}

interface Story {
  id: string;
  sum: Float32Array;
  /** sum / |sum|, refreshed on every join: a view into the clusters' one centre matrix. */
  centre: Float32Array;
  /** Length of the centre past its first HEAD dimensions (the bound's second factor). */
  tail: number;
  /** Row of the centre matrix. */
  slot: number;
  count: number;
  lastSeen: number;
  /** Changed since the last merge pass (a join, or it absorbed another). */
  dirty: boolean;
  /** Time of its first mention (the earliest of a merged pair's). */
  born: number;
  /** With `burst`: mentions per time bin, a ring over the last `bins` bins ending at bin `lastBin`. */
  bins?: Float32Array;
  lastBin: number;
}

const REPOST_MEMORY = 50_000;
/**
 * Reposts whose embedding is kept (about 600 bytes each): a repost counts in the brand's
 * mean as its original did, without embedding it again. Past it the vectors start again
 * and a repost is embedded once more.
 */
const REPOST_VECTORS = 10_000;
const CENTRE_WARMUP = 50;
/**
 * Dimensions scored first. The rest of a cosine can add at most |v past HEAD| x |c past
 * HEAD| (Cauchy-Schwarz), so a story whose head cannot reach the floor is skipped unread,
 * with the same answer as a full scan. The static embedding spreads its energy over its
 * PCA dimensions, so this skips only about 1 story in 6 on Banking77; the rest of the
 * saving is the one centre matrix and merge passes over changed stories only.
 */
const HEAD = 16;

/** Text with retweet prefixes, links, handles, case and spacing removed: a repost's key. */
export const repostKey = (text: string) =>
  text
    .replace(/^rt\s+@\w+:?\s*/i, '')
    .replace(/https?:\/\/\S+|@\w+/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

function dot(a: Float32Array, b: Float32Array, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]! * b[i]!;
  return s;
}

function normalise(sum: Float32Array, out: Float32Array): void {
  const n = Math.sqrt(dot(sum, sum)) || 1;
  for (let i = 0; i < sum.length; i++) out[i] = sum[i]! / n;
}

/** Length of a unit vector past its first `head` dimensions. */
const tailOf = (v: Float32Array, head: number) => Math.sqrt(Math.max(0, dot(v, v, head)));

export class StoryClusters {
  private live: Story[] = [];
  private readonly byId = new Map<string, Story>();
  /** A merged story's id → the id it merged into. */
  private readonly mergedInto = new Map<string, string>();
  private readonly reposts = new Map<string, string>();
  private readonly repostVectors = new Map<string, Float32Array>();
  private sinceMerge = 0;
  private next = 0;
  /** Running sum of every embedding seen: what all the brand's mentions share is no story. */
  private meanSum: Float32Array | undefined;
  private seen = 0;
  /** Every live centre in one matrix (a row per slot), so scoring reads memory in order. */
  private centres = new Float32Array(0);
  private readonly freeSlots: number[] = [];
  private dims = 0;
  private head = 0;
  /** No live story was seen before this: until `time - fadeAfter` passes it, nothing fades. */
  private oldestSeen = Infinity;
  /** The bin of the last burst check, and of the first mention (with `burst`). */
  private checkedBin = -Infinity;
  private firstBin = Infinity;

  constructor(
    private readonly opts: StoryClusterOptions,
    /** Makes the nth story's id (unique within the brand). */
    private readonly newId: (n: number) => string = (n) => String(n),
    private readonly listener?: StoryListener,
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
    if (!this.meanSum) {
      this.meanSum = new Float32Array(vec.length);
      this.dims = vec.length;
      this.head = Math.min(HEAD, vec.length);
    }
    const k = Math.min(1, this.seen / CENTRE_WARMUP) / Math.max(1, this.seen);
    const out = new Float32Array(vec.length);
    for (let i = 0; i < vec.length; i++) out[i] = vec[i]! - this.meanSum[i]! * k;
    if (count) this.count(vec);
    normalise(out, out);
    return out;
  }

  /** Adds an embedding to the brand's running mean. */
  private count(vec: Float32Array): void {
    this.seen++;
    for (let i = 0; i < vec.length; i++) this.meanSum![i]! += vec[i]!;
  }

  /** A repost's embedding: its original's when kept, else made now (and kept). */
  private repostVector(key: string, raw: Float32Array | (() => Float32Array)): Float32Array {
    let vec = this.repostVectors.get(key);
    if (vec) return vec;
    vec = typeof raw === 'function' ? raw() : raw;
    this.keepVector(key, vec);
    return vec;
  }

  private keepVector(key: string, vec: Float32Array): void {
    if (this.repostVectors.size >= REPOST_VECTORS) this.repostVectors.clear();
    this.repostVectors.set(key, vec);
  }

  /**
   * The live story nearest `vec` if its cosine is at least `floor`, else none: the same
   * answer as scoring every story in full. A story is read whole only when its head's
   * cosine plus the bound on the rest reaches the floor and the best so far.
   */
  private nearestAbove(vec: Float32Array, floor: number): [Story | undefined, number] {
    const { head, dims, centres } = this;
    const vTail = tailOf(vec, head);
    let best: Story | undefined;
    let bestSim = floor;
    for (const s of this.live) {
      const off = s.slot * dims;
      let h = 0;
      for (let i = 0; i < head; i++) h += vec[i]! * centres[off + i]!;
      if (h + vTail * s.tail < bestSim) continue;
      let sim = h;
      for (let i = head; i < dims; i++) sim += vec[i]! * centres[off + i]!;
      if (sim >= bestSim) [bestSim, best] = [sim, s];
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

  /**
   * The story of a mention. `raw` may be given as a function: an exact repost of a live
   * story's mention is then not embedded again (in a stream most mentions can be reposts);
   * it counts in the brand's running mean with its original's embedding.
   */
  assign(raw: Float32Array | (() => Float32Array), text: string, time: number, key = repostKey(text)): Assignment {
    const original = key.length >= 20 ? this.reposts.get(key) : undefined;
    if (original !== undefined) {
      const story = this.resolve(original);
      const s = this.byId.get(story);
      if (s) {
        this.count(this.repostVector(key, raw));
        s.count++;
        s.lastSeen = Math.max(s.lastSeen, time);
        this.tick(s, time);
        return { story: this.resolve(story), born: false };
      }
    }
    const rawVec = typeof raw === 'function' ? raw() : raw;
    const vec = this.centred(rawVec, true);
    this.fade(time);
    let [best] = this.nearestAbove(vec, this.opts.join);
    let born = false;
    if (best) {
      for (let i = 0; i < vec.length; i++) best.sum[i]! += vec[i]!;
      this.recentre(best);
      best.count++;
      best.lastSeen = Math.max(best.lastSeen, time);
    } else {
      best = this.born(vec, time);
      born = true;
    }
    this.tick(best, time);
    if (key.length >= 20) {
      if (this.reposts.size >= REPOST_MEMORY) this.reposts.clear();
      this.reposts.set(key, best.id);
      this.keepVector(key, rawVec);
    }
    if (++this.sinceMerge >= this.opts.mergeEvery) this.mergePass();
    return { story: this.opts.burst ? this.resolve(best.id) : best.id, born };
  }

  private born(vec: Float32Array, time: number): Story {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.centres.length / this.dims;
      const grown = new Float32Array(Math.max(16, 2 * slot) * this.dims);
      grown.set(this.centres);
      this.centres = grown;
      for (let free = grown.length / this.dims - 1; free > slot; free--) this.freeSlots.push(free);
      for (const s of this.live) s.centre = this.row(s.slot);
    }
    const burst = this.opts.burst;
    const s: Story = {
      id: this.newId(this.next++),
      sum: Float32Array.from(vec),
      centre: this.row(slot),
      tail: 0,
      slot,
      count: 1,
      lastSeen: time,
      dirty: true,
      born: time,
      lastBin: -Infinity,
      ...(burst ? { bins: new Float32Array(burst.bins) } : {}),
    };
    this.recentre(s);
    this.live.push(s);
    this.byId.set(s.id, s);
    this.oldestSeen = Math.min(this.oldestSeen, time);
    return s;
  }

  private row(slot: number): Float32Array {
    return this.centres.subarray(slot * this.dims, (slot + 1) * this.dims);
  }

  private recentre(s: Story): void {
    normalise(s.sum, s.centre);
    s.tail = tailOf(s.centre, this.head);
    s.dirty = true;
  }

  private retire(gone: Set<Story>, faded: boolean): void {
    if (gone.size === 0) return;
    for (const s of gone) {
      this.byId.delete(s.id);
      this.freeSlots.push(s.slot);
      if (faded) this.listener?.faded(s.id);
    }
    this.live = this.live.filter((s) => !gone.has(s));
  }

  private fade(time: number): void {
    const { fadeAfter, maxLive } = this.opts;
    if (this.live.length < maxLive && time - this.oldestSeen <= fadeAfter) return;
    this.retire(new Set(this.live.filter((s) => time - s.lastSeen > fadeAfter)), true);
    if (this.live.length >= maxLive) {
      // The quietest go first: fewest mentions, then longest unseen.
      this.live.sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen);
      this.retire(new Set(this.live.slice(maxLive - 1)), true);
    }
    this.oldestSeen = this.live.reduce((m, s) => Math.min(m, s.lastSeen), Infinity);
  }

  /**
   * Merges every pair of live stories whose centres are within `merge`, larger absorbs
   * smaller. Only pairs with a story changed since the last pass are compared: two
   * unchanged centres were already found apart.
   */
  mergePass(): void {
    this.sinceMerge = 0;
    this.live.sort((a, b) => b.count - a.count);
    const { head, dims, centres } = this;
    const { merge } = this.opts;
    const gone = new Set<Story>();
    const absorbed = new Set<Story>();
    for (let i = 0; i < this.live.length; i++) {
      const big = this.live[i]!;
      if (gone.has(big)) continue;
      for (let j = i + 1; j < this.live.length; j++) {
        const small = this.live[j]!;
        if (gone.has(small) || !(big.dirty || small.dirty)) continue;
        const a = big.slot * dims;
        const b = small.slot * dims;
        let h = 0;
        for (let d = 0; d < head; d++) h += centres[a + d]! * centres[b + d]!;
        if (h + big.tail * small.tail < merge) continue;
        for (let d = head; d < dims; d++) h += centres[a + d]! * centres[b + d]!;
        if (h < merge) continue;
        absorbed.add(big);
        this.absorb(big, small, 'meaning');
        gone.add(small);
      }
    }
    this.retire(gone, false);
    // A story that absorbed another was compared with some stories before its centre
    // moved: it stays changed for the next pass, as a pass over every pair would see it.
    for (const s of this.live) s.dirty = absorbed.has(s);
  }

  /** `small` folds into `big`: its sum, count, times and bins; its id resolves to `big`. */
  private absorb(big: Story, small: Story, why: 'meaning' | 'burst'): void {
    for (let d = 0; d < big.sum.length; d++) big.sum[d]! += small.sum[d]!;
    this.recentre(big);
    big.count += small.count;
    big.lastSeen = Math.max(big.lastSeen, small.lastSeen);
    big.born = Math.min(big.born, small.born);
    if (big.bins && small.bins) {
      const top = Math.max(big.lastBin, small.lastBin);
      this.shift(big, top);
      const n = big.bins.length;
      for (let b = Math.max(top - n + 1, small.lastBin - n + 1); b <= small.lastBin; b++) big.bins[b % n]! += small.bins[b % n]!;
    }
    this.mergedInto.set(small.id, big.id);
    this.listener?.merged(small.id, big.id, why);
  }

  /** Moves a story's ring forward to end at bin `to`, emptying the bins it passes. */
  private shift(s: Story, to: number): void {
    const bins = s.bins!;
    if (to <= s.lastBin) return;
    const n = bins.length;
    for (let b = Math.max(s.lastBin + 1, to - n + 1); b <= to; b++) bins[b % n] = 0;
    s.lastBin = to;
  }

  /** Counts a mention in its story's time bin, and once a bin of time checks for bursts. */
  private tick(s: Story, time: number): void {
    const burst = this.opts.burst;
    if (!burst) return;
    const bin = Math.floor(time / burst.bin);
    this.firstBin = Math.min(this.firstBin, bin);
    this.shift(s, bin);
    // A mention older than the ring (late data) counts in the story, not in its profile.
    if (bin > s.lastBin - burst.bins) s.bins![bin % burst.bins]!++;
    if (bin > this.checkedBin) {
      // Over the bins that are complete: the one just begun holds a mention or two.
      this.checkedBin = bin;
      this.burstPass(bin - 1);
    }
  }

  /** A story's counts over the `bins` bins ending at bin `now`, oldest first, into `out`. */
  private profile(s: Story, now: number, out: Float32Array): Float32Array {
    const n = out.length;
    for (let i = 0; i < n; i++) {
      const b = now - n + 1 + i;
      out[i] = b <= s.lastBin && b > s.lastBin - n ? s.bins![b % n]! : 0;
    }
    return out;
  }

  /**
   * Merges live stories that burst together (see StoryBurstOptions) into the larger. Only
   * bursting stories are compared, so a pass costs a read of each live story's ring. A
   * story born in the first window of the brand's stream is never one: every story is
   * young there (a restart, a new brand), and nobody saw the quiet before it.
   */
  burstPass(now: number): void {
    const burst = this.opts.burst;
    if (!burst) return;
    const { bins, minRecent, bornWithin, correlation, floor } = burst;
    const watchedSince = (this.firstBin + bins) * burst.bin;
    const bursting: { s: Story; p: Float32Array }[] = [];
    for (const s of this.live) {
      // Cheap tests first: most stories are neither new nor heard of lately.
      if (s.born < watchedSince || s.count < minRecent || s.lastBin <= now - bins) continue;
      let recent = 0;
      for (let b = Math.max(now, s.lastBin) - bins + 1; b <= Math.min(now, s.lastBin); b++) recent += s.bins![b % bins]!;
      if (recent >= minRecent && recent * 2 > s.count) bursting.push({ s, p: this.profile(s, now, new Float32Array(bins)) });
    }
    if (bursting.length < 2) return;
    bursting.sort((a, b) => b.s.count - a.s.count);
    const gone = new Set<Story>();
    for (let i = 0; i < bursting.length; i++) {
      const big = bursting[i]!;
      if (gone.has(big.s)) continue;
      for (let j = i + 1; j < bursting.length; j++) {
        const small = bursting[j]!;
        if (gone.has(small.s) || Math.abs(big.s.born - small.s.born) > bornWithin) continue;
        if (dot(big.s.centre, small.s.centre) < floor || pearson(big.p, small.p) < correlation) continue;
        this.absorb(big.s, small.s, 'burst');
        for (let b = 0; b < bins; b++) big.p[b]! += small.p[b]!;
        gone.add(small.s);
      }
    }
    this.retire(gone, false);
  }
}

/** Pearson correlation of two equal-length series (0 when either is flat). */
function pearson(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) [ma, mb] = [ma + a[i]!, mb + b[i]!];
  [ma, mb] = [ma / n, mb / n];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = [a[i]! - ma, b[i]! - mb];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
