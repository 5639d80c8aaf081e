import { MentionRollups, MentionTable, topTerms, type CampaignEvent, type ClickHouseClient } from '@earshot/shared';

interface WindowCounts {
  brand: number;
  all: number;
  positive: number;
  negative: number;
  complaints: number;
  hours: number;
}

const Z95 = 1.96;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
/** Two-sided p-value of a standard normal statistic. */
function pTwoSided(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(z * z) / 2);
  return Math.min(1, erfc);
}

/** Mention rate after vs before (per hour): rate ratio with a 95% CI on the log scale (Poisson counts). */
export function rateChange(before: number, beforeHours: number, after: number, afterHours: number) {
  const rb = before / beforeHours;
  const ra = after / afterHours;
  const ratio = (after + 0.5) / afterHours / ((before + 0.5) / beforeHours);
  const se = Math.sqrt(1 / (after + 0.5) + 1 / (before + 0.5));
  const z = Math.log(ratio) / se;
  return {
    before_per_hour: round(rb, 2),
    after_per_hour: round(ra, 2),
    ratio: round(ratio),
    ci95: [round(ratio * Math.exp(-Z95 * se)), round(ratio * Math.exp(Z95 * se))],
    p_value: round(pTwoSided(z), 6),
  };
}

/** Difference of two proportions with a 95% CI and a two-proportion z-test. */
export function proportionChange(x1: number, n1: number, x2: number, n2: number) {
  const p1 = n1 ? x1 / n1 : 0;
  const p2 = n2 ? x2 / n2 : 0;
  const se = Math.sqrt((p1 * (1 - p1)) / Math.max(1, n1) + (p2 * (1 - p2)) / Math.max(1, n2));
  const pooled = (x1 + x2) / Math.max(1, n1 + n2);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / Math.max(1, n1) + 1 / Math.max(1, n2)));
  const z = sePooled > 0 ? (p2 - p1) / sePooled : 0;
  return {
    before: round(p1),
    after: round(p2),
    difference: round(p2 - p1),
    ci95: [round(p2 - p1 - Z95 * se), round(p2 - p1 + Z95 * se)],
    p_value: round(pTwoSided(z), 6),
  };
}

type SentimentCounts = Pick<WindowCounts, 'brand' | 'positive' | 'negative'>;
const net = (w: SentimentCounts) => (w.brand ? (w.positive - w.negative) / w.brand : 0);
// Per-mention variance of the +1/0/−1 score whose mean is net sentiment.
const variance = (w: SentimentCounts) => (w.brand ? (w.positive + w.negative) / w.brand - net(w) ** 2 : 0);

/** Net sentiment ((pos − neg) / n) of one window with its 95% CI. */
export function netSentimentInterval(w: SentimentCounts) {
  const se = Math.sqrt(variance(w) / Math.max(1, w.brand));
  return { value: round(net(w)), ci95: [round(net(w) - Z95 * se), round(net(w) + Z95 * se)] };
}

/** Net sentiment ((pos − neg) / n) before and after, its difference, 95% CI and z-test. */
export function netSentimentChange(b: WindowCounts, a: WindowCounts) {
  const se = Math.sqrt(variance(b) / Math.max(1, b.brand) + variance(a) / Math.max(1, a.brand));
  const d = net(a) - net(b);
  return {
    before: round(net(b)),
    after: round(net(a)),
    difference: round(d),
    ci95: [round(d - Z95 * se), round(d + Z95 * se)],
    p_value: round(se > 0 ? pTwoSided(d / se) : 1, 6),
  };
}

async function windowCounts(client: ClickHouseClient, brand: string, from: number, to: number): Promise<WindowCounts> {
  return { ...(await new MentionRollups(client).brandWindow(brand, from, to)), hours: (to - from) / 3_600_000 };
}

const texts = (client: ClickHouseClient, brand: string, from: number, to: number) => new MentionTable(client).texts(brand, from, to, 5000);

// Rates read as rates ("37%"), their changes as signed percentage points ("−23 pp").
const rate = (x: number) => `${Math.round(x * 100)}%`;
const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(Math.round(x * 100))} pp`;
const sig = (p: number) => (p < 0.05 ? 'significant' : 'not significant');

/** The window after an event its impact reads by default: its span (a day when it has no end), at least an hour. */
export function defaultAfterMs(event: Pick<CampaignEvent, 'starts_at' | 'ends_at'>): number {
  const span = event.ends_at ? Date.parse(event.ends_at) - Date.parse(event.starts_at) : 86_400_000;
  return Math.max(3_600_000, span);
}

/**
 * What an event did: the window after it against the window before it, for mention
 * volume, share of voice among the tracked brands, net sentiment and complaint rate,
 * each with a 95% interval and a test, the words that are new, and a verdict in words.
 */
export async function eventImpact(client: ClickHouseClient, event: CampaignEvent, opts: { beforeMs: number; afterMs: number }) {
  const t0 = Date.parse(event.starts_at);
  const b = await windowCounts(client, event.brand, t0 - opts.beforeMs, t0);
  const a = await windowCounts(client, event.brand, t0, t0 + opts.afterMs);
  const volume = rateChange(b.brand, b.hours, a.brand, a.hours);
  const share = proportionChange(b.brand, b.all, a.brand, a.all);
  const sentiment = netSentimentChange(b, a);
  const complaints = proportionChange(b.complaints, b.brand, a.complaints, a.brand);
  const newTerms = topTerms(await texts(client, event.brand, t0, t0 + opts.afterMs), await texts(client, event.brand, t0 - opts.beforeMs, t0), 5);
  const verdict = [
    `Mentions of ${event.brand} ${volume.ratio >= 1 ? 'rose' : 'fell'} ${volume.ratio.toFixed(2)}× after "${event.title}" (95% CI ${volume.ci95[0]}–${volume.ci95[1]}, ${sig(volume.p_value)}).`,
    `Share of voice ${rate(share.before)} → ${rate(share.after)} (${points(share.difference)}, ${sig(share.p_value)}); net sentiment ${sentiment.before.toFixed(2)} → ${sentiment.after.toFixed(2)} (${sig(sentiment.p_value)}); complaint rate ${rate(complaints.before)} → ${rate(complaints.after)} (${points(complaints.difference)}, ${sig(complaints.p_value)}).`,
    newTerms.length ? `New in the conversation: ${newTerms.map((t) => `"${t}"`).join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    event: { id: event.id, brand: event.brand, kind: event.kind, title: event.title, starts_at: event.starts_at },
    windows: {
      before: { from: new Date(t0 - opts.beforeMs).toISOString(), to: event.starts_at, mentions: b.brand },
      after: { from: event.starts_at, to: new Date(t0 + opts.afterMs).toISOString(), mentions: a.brand },
    },
    volume,
    share_of_voice: share,
    net_sentiment: sentiment,
    complaint_rate: complaints,
    new_terms: newTerms,
    verdict,
  };
}
