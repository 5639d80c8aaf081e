import { describe, expect, it } from 'vitest';
import type { Alert } from '@earshot/shared';
import { AlertBook, alertKey, type Firing } from './alert-book.js';
import { INCIDENT_REJOIN_MS } from './incident-grouping.js';
import { slackNotifier, webhookNotifier } from './notifiers.js';

const MIN = 60_000;
const DAY = 1440 * MIN;

/** A finding of `kind` over [start, end]; a detector's "warning" caps the grade at warning, "critical" lets a big count page as critical. */
const fire = (kind: Alert['kind'], start: number, end: number, severity: 'warning' | 'critical' = 'warning', brand = 'acme', scope: string = kind): Firing => ({
  kind,
  brand,
  scope,
  // 200 posts against 2 expected; net sentiment from +0.4 to -0.8.
  finding:
    kind === 'net_sentiment_drop'
      ? { windowStart: start, windowEnd: end, observed: -0.8, expected: 0.4, band: [0.1, 0.7], score: 0.99, severity }
      : { windowStart: start, windowEnd: end, observed: 200, expected: 2, band: [0, 5], score: 0.99, severity },
  summary: `${kind} of ${brand}`,
  samples: [],
});
const pages = (versions: Alert[]) => versions.filter((v) => !v.quiet);

describe('incidents: one trouble, one page', () => {
  it('groups an outage’s alerts into the first one’s incident, paging at its opening, when it gets worse and when it ends', () => {
    const book = new AlertBook();
    const out: Alert[] = [];
    const run = (firings: Firing[], now: number) => out.push(...book.apply(firings, now));
    run([fire('complaint_surge', 0, 5 * MIN)], 5 * MIN);
    run([fire('complaint_surge', 0, 7 * MIN), fire('negative_volume_surge', 2 * MIN, 7 * MIN)], 7 * MIN);
    run(
      [
        fire('complaint_surge', 0, 9 * MIN),
        fire('negative_volume_surge', 2 * MIN, 9 * MIN),
        fire('volume_spike', 4 * MIN, 9 * MIN, 'warning', 'acme', 'twitter'),
      ],
      9 * MIN,
    );
    // The sentiment falls far enough to be critical: the incident's severity rises.
    run([fire('net_sentiment_drop', 0, 12 * MIN, 'critical'), fire('complaint_surge', 0, 12 * MIN)], 12 * MIN);
    // Everything goes quiet; each alert resolves after 15 quiet minutes.
    for (let t = 13 * MIN; t <= 40 * MIN; t += MIN) run([], t);

    const first = out[0]!;
    expect(first).toMatchObject({ kind: 'complaint_surge', status: 'open', incident_id: first.id });
    expect(new Set(out.map((a) => a.incident_id))).toEqual(new Set([first.id]));
    expect(new Set(out.map((a) => a.kind)).size).toBe(4);
    // Paged: the opening, the rise to critical (a later alert naming the incident), the last resolution.
    expect(pages(out).map((a) => [a.kind, a.status, a.severity])).toEqual([
      ['complaint_surge', 'open', 'warning'],
      ['net_sentiment_drop', 'open', 'critical'],
      [expect.any(String), 'resolved', expect.any(String)],
    ]);
    expect(out.filter((a) => a.status === 'resolved')).toHaveLength(4);
    expect(pages(out).at(-1)).toBe(out.at(-1));
  });

  it('keeps two outages a day apart as two incidents, each paging once when it opens', () => {
    const book = new AlertBook();
    const out: Alert[] = [];
    for (const day of [0, DAY]) {
      out.push(...book.apply([fire('complaint_surge', day, day + 5 * MIN)], day + 5 * MIN));
      out.push(...book.apply([fire('negative_volume_surge', day, day + 8 * MIN)], day + 8 * MIN));
      for (let t = day + 9 * MIN; t <= day + 60 * MIN; t += 5 * MIN) out.push(...book.apply([], t));
    }
    const incidents = [...new Set(out.map((a) => a.incident_id))];
    expect(incidents).toHaveLength(2);
    expect(pages(out).filter((a) => a.status === 'open')).toHaveLength(2);
    expect(pages(out).filter((a) => a.status === 'resolved')).toHaveLength(2);
  });

  it('keeps another brand, and a silent source outside the outage’s time, out of it; a silent source during it joins', () => {
    const book = new AlertBook();
    const [outage] = book.apply([fire('complaint_surge', 0, 5 * MIN)], 5 * MIN);
    const [other] = book.apply([fire('complaint_surge', 0, 6 * MIN, 'warning', 'globex')], 6 * MIN);
    const [silentBefore] = book.apply([fire('source_silent', -3 * 60 * MIN, -2 * 60 * MIN, 'warning', 'acme', 'reddit')], 7 * MIN);
    const [silentDuring] = book.apply([fire('source_silent', 3 * MIN, 8 * MIN, 'warning', 'acme', 'twitter')], 8 * MIN);
    expect(other!.incident_id).toBe(other!.id);
    expect(other!.quiet).toBeUndefined();
    expect(silentBefore!.incident_id).toBe(silentBefore!.id);
    expect(silentDuring).toMatchObject({ incident_id: outage!.id, quiet: true });
  });

  it('takes an incident up again after a restart, from its stored alerts', () => {
    const before = new AlertBook();
    const [opened] = before.apply([fire('complaint_surge', 0, 5 * MIN)], 5 * MIN);
    // A new process reads the open alerts back (incident_id is stored with each).
    const after = new AlertBook();
    after.restore([opened!], alertKey);
    const [joined] = after
      .apply([fire('complaint_surge', 0, 10 * MIN), fire('negative_volume_surge', 4 * MIN, 10 * MIN)], 10 * MIN)
      .filter((a) => a.kind === 'negative_volume_surge');
    expect(joined).toMatchObject({ status: 'open', incident_id: opened!.id, quiet: true });
  });

  it('takes a resolved incident up again, paging, when its trouble returns within the rejoin time; later it is a new incident', () => {
    const book = new AlertBook();
    const [first] = book.apply([fire('complaint_surge', 0, 5 * MIN)], 5 * MIN);
    const [resolved] = book.apply([], 21 * MIN);
    expect(resolved).toMatchObject({ status: 'resolved', incident_id: first!.id });
    expect(resolved!.quiet).toBeUndefined();
    const [back] = book.apply([fire('negative_volume_surge', 30 * MIN, 35 * MIN)], 35 * MIN);
    expect(back).toMatchObject({ status: 'open', incident_id: first!.id });
    expect(back!.quiet).toBeUndefined();
    book.apply([], 60 * MIN);
    const late = 60 * MIN + INCIDENT_REJOIN_MS + MIN;
    const [fresh] = book.apply([fire('net_sentiment_drop', late - 5 * MIN, late)], late);
    expect(fresh!.incident_id).toBe(fresh!.id);
  });

  it('names the incident in the page a later alert sends when it raises the severity', async () => {
    const book = new AlertBook();
    const [first] = book.apply([fire('complaint_surge', 0, 5 * MIN)], 5 * MIN);
    const [worse] = book.apply([fire('complaint_surge', 0, 7 * MIN), fire('net_sentiment_drop', 0, 7 * MIN, 'critical')], 7 * MIN).filter((a) => !a.quiet);
    const bodies: any[] = [];
    // Slack's incoming webhooks answer 200 "ok" (https://api.slack.com/messaging/webhooks); the JSON webhook any 2xx.
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(init.body as string));
      return new Response('ok', { status: 200 });
    }) as typeof fetch;
    await slackNotifier('http://slack.invalid/hook', fetchImpl).send(worse!);
    await webhookNotifier('http://hooks.invalid/in', fetchImpl).send(worse!);
    expect(worse).toMatchObject({ kind: 'net_sentiment_drop', severity: 'critical', incident_id: first!.id });
    expect(bodies[0].text).toContain(`net sentiment drop opened (incident ${first!.id})`);
    expect(bodies[1]).toMatchObject({ event: 'alert.opened', incident_id: first!.id });
  });
});
