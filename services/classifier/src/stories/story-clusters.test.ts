import { describe, expect, it } from 'vitest';
import { StoryClusters, repostKey, type StoryClusterOptions } from './story-clusters.js';

const OPTS: StoryClusterOptions = { join: 0.5, merge: 0.8, mergeEvery: 50, fadeAfter: Infinity, maxLive: 100 };

/** A unit vector near axis `topic` of 16, with seeded noise. */
function near(topic: number, seed: number, noise = 0.25): Float32Array {
  const v = new Float32Array(16);
  let s = seed * 7919 + topic;
  for (let i = 0; i < 16; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    v[i] = (s / 2 ** 31 - 0.5) * noise;
  }
  v[topic]! += 1;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('online story clustering', () => {
  it('finds the topics without being told how many, in a mixed order', () => {
    const c = new StoryClusters(OPTS);
    const topics = Array.from({ length: 300 }, (_, i) => (i * 7) % 4);
    const stories = topics.map((t, i) => c.assign(near(t, i), `text ${i}`, i).story);
    const resolved = stories.map((s) => c.resolve(s));
    const byTopic = [0, 1, 2, 3].map((t) => new Set(resolved.filter((_, i) => topics[i] === t)));
    for (const ids of byTopic) expect(ids.size).toBe(1);
    expect(new Set(byTopic.map((s) => [...s][0])).size).toBe(4);
  });

  it('a new story is born when a mention is far from every live one', () => {
    const c = new StoryClusters(OPTS);
    for (let i = 0; i < 20; i++) c.assign(near(0, i), `a ${i}`, i);
    const first = c.assign(near(5, 99), 'something new', 20);
    expect(first.born).toBe(true);
    expect(c.assign(near(5, 100), 'again', 21)).toEqual({ story: first.story, born: false });
  });

  it('a repost folds into its original story, however far its vector', () => {
    const c = new StoryClusters(OPTS);
    const original = c.assign(near(0, 1), 'Payment declined at checkout again, third time today https://t.co/x', 0);
    c.assign(near(3, 2), 'unrelated', 1);
    const repost = c.assign(near(3, 3), 'RT @someone: Payment declined at checkout again, third time today', 2);
    expect(repost).toEqual({ story: original.story, born: false });
    expect(repostKey('RT @a: Hello  World https://x.y')).toBe('hello world');
  });

  it('a repost given its embedding lazily is never embedded; a new text is', () => {
    const c = new StoryClusters(OPTS);
    let embedded = 0;
    const lazy = (v: Float32Array) => () => (embedded++, v);
    const original = c.assign(lazy(near(0, 1)), 'Payment declined at checkout again, third time today', 0);
    expect(c.assign(lazy(near(3, 3)), 'RT @someone: Payment declined at checkout again, third time today', 1)).toEqual({ story: original.story, born: false });
    expect(embedded).toBe(1);
    expect(c.assign(lazy(near(3, 4)), 'Something else entirely, with a long enough text', 2).born).toBe(true);
    expect(embedded).toBe(2);
  });

  it('stories whose centres meet merge into the larger, old ids resolve to it, topics stay apart', () => {
    // A strict join splits every topic into many stories; the merge pass rejoins them.
    const c = new StoryClusters({ ...OPTS, join: 0.97, merge: 0.6, mergeEvery: 1_000, maxLive: 1_000 });
    const topics = Array.from({ length: 200 }, (_, i) => (i * 3) % 4);
    const ids = topics.map((t, i) => c.assign(near(t, i), `t${i}`, i).story);
    const perTopic = (resolve: (s: string) => string) => [0, 1, 2, 3].map((t) => new Set(ids.filter((_, i) => topics[i] === t).map(resolve)));
    const before = perTopic((s) => s);
    c.mergePass();
    const after = perTopic((s) => c.resolve(s));
    for (let t = 0; t < 4; t++) expect(after[t]!.size).toBeLessThan(before[t]!.size / 2);
    const all = after.flatMap((s) => [...s]);
    expect(new Set(all).size).toBe(all.length);
    expect(c.merges().every(([from, into]) => from !== into && c.resolve(from) === into)).toBe(true);
  });

  it('a story quiet for longer than fadeAfter is not matched again: its topic starts a new one', () => {
    const c = new StoryClusters({ ...OPTS, fadeAfter: 100 });
    const old = c.assign(near(2, 0), 'old', 0).story;
    c.assign(near(4, 1), 'other', 150);
    const later = c.assign(near(2, 2), 'old topic back', 200);
    expect(later.born).toBe(true);
    expect(later.story).not.toBe(old);
  });
});

describe('stories that burst together', () => {
  // Times in minutes: 5-minute bins over the last 2 hours.
  const BURST = { bin: 5, bins: 24, bornWithin: 30, minRecent: 5, correlation: 0.6, floor: 0.2 };
  const TIMED: StoryClusterOptions = { ...OPTS, burst: BURST };
  /** One outage told in different words: each sentence its own axis (1 or 2) and a shared one (8); centred cosine about 0.4, below `join`. */
  const sentence = (axis: number, seed: number) => {
    const v = near(axis, seed, 0.1);
    v[8]! += 0.6;
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  type Tagged = [time: number, vec: Float32Array, kind: number];
  /** `n` mentions of a sentence spread over [from, from + minutes), its kind its axis. */
  const burst = (axis: number, from: number, minutes: number, n = 40): Tagged[] =>
    Array.from({ length: n }, (_, i) => [from + (i * minutes) / n, sentence(axis, axis * 1000 + i), axis]);
  /** Steady background, a mention a minute for 8 hours, five topics in turn (axes 3-7, kind 0). */
  const background = (t: number): Tagged => [t, near(3 + (t % 5), 10_000 + t), 0];
  /** The events mixed into the background in time order: the final stories of each kind's mentions. */
  function storiesByKind(opts: StoryClusterOptions, events: Tagged[], steady = background) {
    const c = new StoryClusters(opts);
    const all = [...Array.from({ length: 480 }, (_, t) => steady(t)), ...events].sort((a, b) => a[0] - b[0]);
    const ids = all.map(([t, v], i) => c.assign(v, `m${i}`, t).story);
    return (kind: number) => new Set(ids.filter((_, i) => all[i]![2] === kind).map((s) => c.resolve(s)));
  }
  const shared = (a: Set<string>, b: Set<string>) => [...a].some((s) => b.has(s));

  it('two young stories that burst together merge; without the time rule they stay two', () => {
    const events = [...burst(1, 240, 30), ...burst(2, 242, 30)];
    const timed = storiesByKind(TIMED, events);
    expect(timed(1).size).toBe(1);
    expect(timed(2)).toEqual(timed(1));
    expect(shared(timed(0), timed(1))).toBe(false);
    const timeless = storiesByKind(OPTS, events);
    expect(shared(timeless(1), timeless(2))).toBe(false);
  });

  it('a bursting story and a steady background story do not merge, however close their words', () => {
    // Sentence 2 is said all along, every sixth minute (kind 2); sentence 1 bursts at 240.
    const steady = (t: number): Tagged => (t % 6 === 5 ? [t, sentence(2, 5_000 + t), 2] : background(t));
    const by = storiesByKind(TIMED, burst(1, 240, 30, 60), steady);
    expect(by(1).size).toBe(1);
    expect(shared(by(1), by(2))).toBe(false);
  });

  it('a story bursting after another is over does not merge with it (the praise after a fix is not the outage)', () => {
    // Both within the last two hours at the second's peak, but born an hour apart and rising at different times.
    const by = storiesByKind(TIMED, [...burst(1, 240, 30), ...burst(2, 300, 30)]);
    expect(shared(by(1), by(2))).toBe(false);
  });
});
