import { describe, expect, it } from 'vitest';
import { sampleAlert } from './test-support/sample-alert.js';
import type { Alert } from '@earshot/shared';
import { AlertRouter, localTime } from './route-alert.js';
import { parseRoutesFile } from './routes-file.js';
import { routingReport } from './routing-report.js';

const FILE = `
timezone: Europe/Berlin
channels:
  pr-email: { type: email, to: [pr@example.com] }
  ops-slack: { type: slack, url: "https://hooks.slack.example/T1" }
  care-teams: { type: teams, url: "https://teams.example/hook" }
routes:
  - name: pr
    match: { brands: [globex], kinds: [complaint_surge, viral_negative], min_severity: 6 }
    below_floor: digest
    quiet_hours: { hours: "22:00-07:00", except_severity: 9 }
    cooldown: 30m
    channels: [pr-email, ops-slack]
  - name: care-desk
    match: { kinds: [care], days: [mon, tue, wed, thu, fri], hours: "09:00-17:00", sources: [twitter] }
    timezone: America/New_York
    channels: [care-teams]
`;

const alert = sampleAlert;

// Friday 20 November 2026, 10:00 in Berlin (09:00 UTC), 04:00 in New York.
const FRI_10_BERLIN = Date.parse('2026-11-20T09:00:00Z');
const outcome = (router: AlertRouter, a: Alert, at: number) => Object.fromEntries(router.decide(a, at).map((d) => [d.route, d.outcome]));

describe('routing rules', () => {
  const file = parseRoutesFile('routes.yaml', FILE);

  it('sends at or above the severity floor; below it, the digest only', () => {
    const router = new AlertRouter(file);
    expect(router.decide(alert(), FRI_10_BERLIN)[0]).toMatchObject({ outcome: 'send', channels: ['pr-email', 'ops-slack'] });
    expect(router.decide(alert({ severity_score: 4 }), FRI_10_BERLIN)[0]).toMatchObject({ outcome: 'digest', reason: 'severity 4 is below 6' });
    // With no score (older alerts), the level stands in: info is 3.
    expect(outcome(router, alert({ severity_score: undefined, severity: 'info' }), FRI_10_BERLIN).pr).toBe('digest');
    expect(outcome(router, alert({ brand: 'acme' }), FRI_10_BERLIN).pr).toBe('skip');
  });

  it('holds alerts in quiet hours (local time) unless severe enough', () => {
    const router = new AlertRouter(file);
    const night = Date.parse('2026-11-20T22:30:00Z'); // 23:30 in Berlin
    expect(router.decide(alert(), night)[0]).toMatchObject({ outcome: 'digest', reason: expect.stringMatching(/quiet hours/) });
    expect(outcome(router, alert({ severity_score: 9 }), night).pr).toBe('send');
    // 21:30 in Berlin: not yet quiet.
    expect(outcome(router, alert(), Date.parse('2026-11-20T20:30:00Z')).pr).toBe('send');
  });

  it('a cooldown holds the next alert of the brand and kind, never a resolution', () => {
    const router = new AlertRouter(file);
    const first = router.decide(alert(), FRI_10_BERLIN);
    expect(router.commit(alert(), first, FRI_10_BERLIN)).toEqual(['pr-email', 'ops-slack']);
    const later = alert({ id: 'other', updated_at: '2026-11-20T09:10:00.000Z' });
    expect(router.decide(later, FRI_10_BERLIN + 10 * 60_000)[0]).toMatchObject({ outcome: 'digest', reason: expect.stringMatching(/cooldown/) });
    expect(outcome(router, alert({ status: 'resolved' }), FRI_10_BERLIN + 10 * 60_000).pr).toBe('send');
    expect(outcome(router, later, FRI_10_BERLIN + 31 * 60_000).pr).toBe('send');
  });

  it('matches local days and hours in the route’s time zone, and the source', () => {
    const router = new AlertRouter(file);
    const care = alert({ kind: 'care', source: 'twitter', severity_score: 5 });
    expect(outcome(router, care, FRI_10_BERLIN)['care-desk']).toBe('skip'); // 04:00 in New York
    expect(outcome(router, care, Date.parse('2026-11-20T15:00:00Z'))['care-desk']).toBe('send'); // 10:00 Friday
    expect(outcome(router, care, Date.parse('2026-11-21T15:00:00Z'))['care-desk']).toBe('skip'); // Saturday
    expect(outcome(router, { ...care, source: 'reddit' }, Date.parse('2026-11-20T15:00:00Z'))['care-desk']).toBe('skip');
    expect(localTime(Date.parse('2026-11-20T15:00:00Z'), 'America/New_York')).toMatchObject({ day: 'fri', minute: 600 });
  });

  it('the report says where an alert goes and why', () => {
    const report = routingReport(file, alert(), FRI_10_BERLIN);
    expect(report).toMatch(/pr +sends to pr-email, ops-slack \(severity 7 ≥ 6\)/);
    expect(report).toMatch(/care-desk +does not match \(kind complaint_surge is not care\)/);
    expect(report).toMatch(/Reaches: pr-email \(email\), ops-slack \(slack\)/);
    expect(routingReport(file, alert({ severity_score: 2 }), FRI_10_BERLIN)).toMatch(/Reaches no channel; it waits for the digest/);
  });

  it('refuses a file naming an undefined channel, a bad zone or bad hours, with the place', () => {
    const bad = (text: string) => () => parseRoutesFile('r.yaml', text);
    expect(bad('channels: {}\nroutes: [{ name: a, channels: [nope] }]')).toThrow(/r\.yaml: .*channel "nope"/);
    expect(bad('timezone: Mars/Base\nchannels: { x: { type: slack, url: "https://x.example" } }\nroutes: [{ name: a, channels: [x] }]')).toThrow(
      /IANA time zone/,
    );
    expect(bad('channels: { x: { type: slack, url: "https://x.example" } }\nroutes: [{ name: a, match: { hours: "9-5" }, channels: [x] }]')).toThrow(
      /08:00-18:00/,
    );
    expect(bad('channels: { x: { type: slack, url: "https://x.example" } }\nroutes: [{ name: a, match: { min_severity: 11 }, channels: [x] }]')).toThrow(
      /min_severity/,
    );
    expect(bad('digests: { day: "at eight" }\nchannels: { x: { type: slack, url: "https://x.example" } }\nroutes: [{ name: a, channels: [x] }]')).toThrow(
      /digests\.day: must be a cron expression/,
    );
    expect(bad('channels: { x: { type: alertmanager, url: "https://x.example" } }\nroutes: [{ name: a, match: { kinds: [digest] }, channels: [x] }]')).toThrow(
      /sends digests to "x", an Alertmanager channel, which takes alerts only/,
    );
  });

  it('sends no alert through a route for digests', () => {
    const file = parseRoutesFile(
      'r.yaml',
      'channels: { x: { type: slack, url: "https://x.example" } }\nroutes: [{ name: digests, match: { kinds: [digest] }, channels: [x] }]',
    );
    expect(file.digests).toEqual({ day: '0 8 * * *', week: '0 8 * * 1' });
    expect(new AlertRouter(file).decide(alert(), FRI_10_BERLIN)).toEqual([{ route: 'digests', outcome: 'skip', reason: 'kind complaint_surge is not digest' }]);
  });
});
