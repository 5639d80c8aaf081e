import { AlertStore, CareStore, EventTable, MentionRollups, MentionTable, topTerms, type ClickHouseClient } from '@earshot/shared';
import { defaultAfterMs, eventImpact, netSentimentChange, netSentimentInterval, proportionChange, rateChange } from './event-impact.js';

export const DIGEST_PERIODS = { day: 86_400_000, week: 7 * 86_400_000 } as const;
export type DigestPeriod = keyof typeof DIGEST_PERIODS;

const MINUTE = 60_000;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const minutesBetween = (from: string, to: string) => round((Date.parse(to) - Date.parse(from)) / MINUTE, 1);

/**
 * A brand's day or week against the one before: volume, share of voice, net sentiment with
 * its interval, complaint rate, words new in the conversation, the alerts opened in it with
 * how long detection and acknowledgement took, what its events did, and how care answered.
 */
export async function buildDigest(
  client: ClickHouseClient,
  q: { brand: string; period: DigestPeriod; to: number; /** Default: a day or a week before `to`. */ from?: number },
) {
  const to = q.to;
  const from = q.from ?? to - DIGEST_PERIODS[q.period];
  // A local day or week across a daylight-saving change is an hour longer or shorter.
  const length = to - from;
  const before = from - length;
  const rollups = new MentionRollups(client);
  const hours = length / 3_600_000;
  const cur = { ...(await rollups.brandWindow(q.brand, from, to)), hours };
  const prev = { ...(await rollups.brandWindow(q.brand, before, from)), hours };
  const mentions = new MentionTable(client);
  const newTerms = topTerms(await mentions.texts(q.brand, from, to, 5000), await mentions.texts(q.brand, before, from, 5000), 5);

  const alerts = (await new AlertStore(client).list({ status: 'all', brand: q.brand, limit: 1000 }))
    .filter((a) => Date.parse(a.opened_at) >= from && Date.parse(a.opened_at) < to)
    .sort((a, b) => (b.severity_score ?? 0) - (a.severity_score ?? 0) || a.opened_at.localeCompare(b.opened_at))
    .map((a) => ({
      id: a.id,
      kind: a.kind,
      severity: a.severity,
      ...(a.severity_score ? { severity_score: a.severity_score } : {}),
      status: a.status,
      summary: a.summary,
      ...(a.explanation ? { terms: a.explanation.terms } : {}),
      window_start: a.window_start,
      opened_at: a.opened_at,
      // From the start of the window that tripped it to the alert.
      detection_minutes: minutesBetween(a.window_start, a.opened_at),
      ...(a.acknowledged_at
        ? { acknowledged_at: a.acknowledged_at, acknowledged_by: a.acknowledged_by, acknowledge_minutes: minutesBetween(a.opened_at, a.acknowledged_at) }
        : {}),
      ...(a.resolved_at ? { resolved_at: a.resolved_at, resolve_minutes: minutesBetween(a.opened_at, a.resolved_at) } : {}),
      ...(a.assignee ? { assignee: a.assignee } : {}),
    }));

  const events = await new EventTable(client).list({ brand: q.brand, from, to, limit: 20 });
  const verdicts = [];
  for (const e of events) {
    const impact = await eventImpact(client, e, { beforeMs: 86_400_000, afterMs: defaultAfterMs(e) });
    verdicts.push({ event: impact.event, verdict: impact.verdict });
  }

  const care = (await new CareStore(client).stats({ brand: q.brand, from, to })).total;
  const complaints = proportionChange(prev.complaints, prev.brand, cur.complaints, cur.brand);
  const share = proportionChange(prev.brand, prev.all, cur.brand, cur.all);
  return {
    brand: q.brand,
    period: q.period,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    previous: { from: new Date(before).toISOString(), to: new Date(from).toISOString() },
    volume: { mentions: cur.brand, previous: prev.brand, change: rateChange(prev.brand, hours, cur.brand, hours) },
    share_of_voice: { share: share.after, previous: share.before, change: share },
    net_sentiment: { ...netSentimentInterval(cur), previous: netSentimentInterval(prev).value, change: netSentimentChange(prev, cur) },
    complaint_rate: { rate: complaints.after, previous: complaints.before, complaints: cur.complaints, change: complaints },
    new_terms: newTerms,
    alerts: {
      count: alerts.length,
      acknowledged: alerts.filter((a) => a.acknowledged_at).length,
      detection_minutes_p50: median(alerts.map((a) => a.detection_minutes)),
      acknowledge_minutes_p50: median(alerts.flatMap((a) => (a.acknowledge_minutes === undefined ? [] : [a.acknowledge_minutes]))),
      resolved: alerts.filter((a) => a.resolved_at).length,
      resolve_minutes_p50: median(alerts.flatMap((a) => (a.resolve_minutes === undefined ? [] : [a.resolve_minutes]))),
      items: alerts,
    },
    events: verdicts,
    care: {
      conversations: care.conversations,
      answered: care.answered,
      response_rate: care.response_rate,
      first_reply_seconds: care.first_reply_seconds,
    },
  };
}

export type Digest = Awaited<ReturnType<typeof buildDigest>>;
