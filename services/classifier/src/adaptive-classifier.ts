import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { mentionText } from './enrichment.js';

export interface AdaptiveOptions {
  /** The better, slower tier. */
  accurate: MentionClassifier;
  /** The tier that always keeps up. */
  fast: MentionClassifier;
  /** Milliseconds since some fixed point (the service clock). */
  now: () => number;
  /**
   * The process's CPU time in milliseconds, every thread counted (process.cpuUsage): the
   * encoder runs on the main thread and ONNX Runtime's own threads, so its wall time is not its cost.
   */
  cpu: () => number;
  /**
   * The host's idle CPU time in milliseconds, all cores summed (os.cpus()): what neither this
   * process nor another uses, the encoder may take without slowing anyone.
   */
  idle: () => number;
  /** The host's cores: the idle time saved up is at most theirs over `minBudgetMs`. */
  cores: number;
  /**
   * The least time a batch may take on the accurate tier, whatever the arrival rate:
   * a quiet stream's first mention after a pause is still classified accurately.
   */
  minBudgetMs: number;
  /**
   * Which of the fast tier's readings are worth the accurate tier's time (routing.ts).
   * With it, a batch too large for the accurate tier still sends it those it routes, when they fit.
   */
  route?: (text: string, fast: Enrichment) => boolean;
  /**
   * The most CPU time (every thread's) the accurate tier may take beyond the host's idle
   * time, as a share (0..1) of the process's CPU time: under a backlog the pipeline uses
   * every core it gets, and each millisecond the encoder takes is one ingest and the writer
   * lose; a share of the wall time would grow, against the pipeline's, on a host that other
   * work keeps busy. Unset: no such limit.
   */
  share?: number;
}

/** Seconds (of every core's time) of the share saved up while quiet, for the burst after a pause (with a share set). */
const SAVED_UP_S = 10;

interface Job {
  mentions: Parameters<MentionClassifier['classify']>[0];
  resolve(e: Enrichment[]): void;
  reject(err: Error): void;
  /** The cost set aside for it when it was let in. */
  expected: { wall: number; cpu: number };
}

/** The most wall time saved up for the accurate tier: a pause does not let a backlog's batches through. */
const SAVED_WALL_MS = 1000;
/**
 * The most of the wall time the accurate tier may take to keep up: ONNX Runtime runs on the
 * calling (main) thread, which ingest, the bus and the writer need too.
 */
const KEEP_UP_SHARE = 0.5;

/**
 * The accurate tier whenever it keeps up with the stream and the CPU allows, the fast
 * tier per batch when not. Two allowances are earned as wall time passes and spent by the
 * accurate tier: wall time (half of what passes, saved up to a second; a batch may always
 * take `minBudgetMs`), so that it keeps up; and, with a share, CPU time (every thread's,
 * measured): the host's idle time, saved up over `minBudgetMs` at most, plus `share` of the
 * process's CPU time, saved up to `share` of ten seconds of every core. A live stream on an
 * idle host leaves the cores mostly idle, so the encoder reads all of it; under a backlog
 * the pipeline keeps them busy, so the encoder gets the share alone. A batch goes to the
 * accurate tier when its expected cost (its size times the measured cost per mention) fits
 * both. With a route, a batch that does not fit is read by the fast tier first and only the
 * mentions it routes (unsure, or with a complaint, churn or sarcasm cue) go to the accurate
 * tier, if they fit. Each enrichment's `model` names the tier that made it.
 */
export class AdaptiveClassifier implements MentionClassifier {
  readonly model: { name: string; version: string };
  private wallPerMention: number | null = null;
  private cpuPerMention: number | null = null;
  /** Wall and CPU milliseconds the accurate tier may spend; a fresh process counts as quiet. */
  private wallBank = SAVED_WALL_MS;
  private cpuBank: number;
  private last: { wall: number; cpu: number; idle: number } | null = null;
  /** Batches waiting for the accurate tier, read together in one call once the one running is done. */
  private queue: Job[] = [];
  private running = false;

  constructor(private readonly opts: AdaptiveOptions) {
    this.model = { name: `adaptive(${opts.accurate.model.name}|${opts.fast.model.name})`, version: opts.accurate.model.version };
    this.cpuBank = opts.share === undefined ? Infinity : this.savedUp(opts.share);
  }

  /**
   * Measures the accurate tier's cost on a few texts before the stream starts, so that a
   * backlog waiting at start is not given whole to the accurate tier to learn its cost.
   * Start-up work: not charged to either allowance.
   */
  async measure(texts: string[]): Promise<void> {
    const [wall, cpu] = [this.wallBank, this.cpuBank];
    await this.accurate(texts.map((text) => ({ text })));
    [this.wallBank, this.cpuBank] = [wall, cpu];
    this.last = { wall: this.opts.now(), cpu: this.opts.cpu(), idle: this.opts.idle() };
  }

  async classify(mentions: Parameters<MentionClassifier['classify']>[0]): Promise<Enrichment[]> {
    this.earn();
    if (this.fits(mentions.length)) return this.accurate(mentions);
    const fast = await this.opts.fast.classify(mentions);
    const route = this.opts.route;
    if (!route) return fast;
    const routed = mentions.map((m, i) => (route(mentionText(m), fast[i]!) ? i : -1)).filter((i) => i >= 0);
    if (routed.length === 0 || !this.fits(routed.length)) return fast;
    const better = await this.accurate(routed.map((i) => mentions[i]!));
    routed.forEach((i, k) => (fast[i] = better[k]!));
    return fast;
  }

  /** Adds what was earned since it last did: half the wall time; the host's idle CPU and the share of the process's. */
  private earn(): void {
    const wall = this.opts.now();
    const last = this.last ?? { wall, cpu: this.opts.cpu(), idle: this.opts.idle() };
    const passed = Math.max(0, wall - last.wall);
    // Reading the host's idle time costs about 0.15 ms: at most once per batch wait, not per batch.
    if (this.last !== null && passed < Math.max(1, this.opts.minBudgetMs)) return;
    const now = { wall, cpu: this.opts.cpu(), idle: this.opts.idle() };
    this.last = now;
    this.wallBank = Math.min(SAVED_WALL_MS, this.wallBank + KEEP_UP_SHARE * passed);
    const share = this.opts.share;
    if (share === undefined) return;
    const idle = Math.max(0, now.idle - last.idle);
    const cap = this.savedUp(share) + this.opts.cores * this.opts.minBudgetMs;
    this.cpuBank = Math.min(cap, this.cpuBank + share * Math.max(0, now.cpu - last.cpu) + idle);
  }

  private savedUp(share: number): number {
    return share * SAVED_UP_S * 1000 * this.opts.cores;
  }

  /**
   * Whether `size` mentions on the accurate tier fit what is left (nothing measured yet:
   * they do); if so their expected cost is set aside at once, so that the batches of
   * partitions read side by side do not all spend the same allowance.
   */
  private fits(size: number): boolean {
    if (this.wallPerMention === null || this.cpuPerMention === null) return true;
    const wall = size * this.wallPerMention;
    const cpu = size * this.cpuPerMention;
    if (wall > Math.max(this.opts.minBudgetMs, this.wallBank) || cpu > this.cpuBank) return false;
    this.wallBank -= wall;
    this.cpuBank -= cpu;
    return true;
  }

  /** The accurate tier's reading, with the batches of other partitions waiting meanwhile (one call: its cost is paid once). */
  private accurate(mentions: Parameters<MentionClassifier['classify']>[0]): Promise<Enrichment[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ mentions, resolve, reject, expected: this.expected(mentions.length) });
      if (!this.running) void this.drain();
    });
  }

  private expected(size: number): { wall: number; cpu: number } {
    return { wall: size * (this.wallPerMention ?? 0), cpu: size * (this.cpuPerMention ?? 0) };
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const jobs = this.queue.splice(0);
      const mentions = jobs.flatMap((j) => j.mentions);
      // What was set aside comes back; the real cost is spent instead, even past zero (a debt the next batches repay).
      for (const j of jobs) {
        this.wallBank += j.expected.wall;
        this.cpuBank += j.expected.cpu;
      }
      const t0 = this.opts.now();
      const c0 = this.opts.cpu();
      let out: Enrichment[];
      try {
        out = await this.opts.accurate.classify(mentions);
      } catch (err) {
        for (const j of jobs) j.reject(err as Error);
        continue;
      }
      const wall = this.opts.now() - t0;
      // The process's CPU meanwhile: the encoder's threads and whatever else ran (an upper bound on the encoder's).
      const cpu = Math.max(0, this.opts.cpu() - c0);
      this.wallBank -= wall;
      this.cpuBank -= cpu;
      if (mentions.length > 0) {
        // Moving averages: one slow batch (a cold start, a pause) does not decide alone.
        const avg = (prev: number | null, x: number) => (prev === null ? x : 0.7 * prev + 0.3 * x);
        this.wallPerMention = avg(this.wallPerMention, wall / mentions.length);
        this.cpuPerMention = avg(this.cpuPerMention, cpu / mentions.length);
      }
      let k = 0;
      for (const j of jobs) j.resolve(out.slice(k, (k += j.mentions.length)));
    }
    this.running = false;
  }

  async close(): Promise<void> {
    await Promise.all([this.opts.accurate.close(), this.opts.fast.close()]);
  }
}
