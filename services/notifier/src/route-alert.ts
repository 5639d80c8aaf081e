import type { Alert } from '@earshot/shared';
import type { HourRange, Route, RoutesFile, Weekday } from './routes-file.js';

/** What one route does with one alert version, and why. */
export type Decision =
  | { route: string; outcome: 'send'; channels: string[]; reason: string }
  | { route: string; outcome: 'digest'; reason: string }
  | { route: string; outcome: 'skip'; reason: string };

// Alerts stored before severity scores existed carry only the three levels.
const LEVEL_SCORE = { info: 3, warning: 6, critical: 9 } as const;

/** An alert's severity on the 1–10 scale. */
export const alertSeverity = (a: Alert): number => a.severity_score ?? LEVEL_SCORE[a.severity];

/** The weekday and minute of the day at `t` in `timeZone`. */
export function localTime(t: number, timeZone: string): { day: Weekday; minute: number; text: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  const day = String(parts.weekday).toLowerCase().slice(0, 3) as Weekday;
  return { day, minute: Number(parts.hour) * 60 + Number(parts.minute), text: `${day} ${parts.hour}:${parts.minute} ${timeZone}` };
}

/** Whether a minute of the day falls in a range; "22:00-07:00" wraps midnight. */
export const inHours = (minute: number, r: HourRange) => (r.from <= r.to ? minute >= r.from && minute < r.to : minute >= r.from || minute < r.to);

/** The sources an alert is about: its own, or those carrying it. */
const alertSources = (a: Alert) => (a.source ? [a.source] : (a.explanation?.sources.map((s) => s.source) ?? []));

/** Why a route's conditions other than severity do not hold, or null when they all do. */
function mismatch(route: Route, a: Alert, local: ReturnType<typeof localTime>): string | null {
  const m = route.match;
  if (m.brands && !m.brands.includes(a.brand)) return `brand ${a.brand} is not ${m.brands.join('/')}`;
  if (m.kinds && !m.kinds.includes(a.kind)) return `kind ${a.kind} is not ${m.kinds.join('/')}`;
  if (m.sources && !alertSources(a).some((s) => m.sources!.includes(s))) return `source ${alertSources(a).join('/') || '(none)'} is not ${m.sources.join('/')}`;
  if (m.days && !m.days.includes(local.day)) return `${local.text} is outside its days (${m.days.join(', ')})`;
  if (m.hours && !inHours(local.minute, m.hours)) return `${local.text} is outside its hours (${m.hours.text})`;
  return null;
}

/**
 * Routing rules applied to alert versions: which routes send an alert to which channels,
 * which hold it for the digest (under the severity floor, quiet hours, cooldown), and
 * which do not match. Remembers, per route, brand and kind, when it last sent (the cooldown).
 */
export class AlertRouter {
  private readonly lastSent = new Map<string, number>();

  constructor(readonly file: RoutesFile) {}

  /** Every route's decision for this alert version at `now`, in the file's order; changes nothing. */
  decide(a: Alert, now: number): Decision[] {
    const severity = alertSeverity(a);
    return this.file.routes.map((route): Decision => {
      const local = localTime(now, route.timezone ?? this.file.timezone);
      const name = route.name;
      const why = mismatch(route, a, local);
      if (why) return { route: name, outcome: 'skip', reason: why };
      const floor = route.match.min_severity;
      if (floor !== undefined && severity < floor) {
        const reason = `severity ${severity} is below ${floor}`;
        return route.below_floor === 'digest' ? { route: name, outcome: 'digest', reason } : { route: name, outcome: 'skip', reason };
      }
      const quiet = route.quiet_hours;
      if (quiet && inHours(local.minute, quiet.hours) && !(quiet.except_severity !== undefined && severity >= quiet.except_severity))
        return { route: name, outcome: 'digest', reason: `quiet hours (${quiet.hours.text}) at ${local.text}` };
      const last = this.lastSent.get(this.cooldownKey(route, a));
      // A resolution always goes out: it ends what was sent.
      if (route.cooldown && a.status !== 'resolved' && last !== undefined && now - last < route.cooldown)
        return { route: name, outcome: 'digest', reason: `cooldown: sent a ${a.kind} of ${a.brand} ${Math.round((now - last) / 60_000)} min ago` };
      return { route: name, outcome: 'send', channels: route.channels, reason: `severity ${severity}${floor ? ` ≥ ${floor}` : ''}` };
    });
  }

  /** Records the sends among `decisions` (for cooldowns) and returns the channels reached, each once. */
  commit(a: Alert, decisions: Decision[], now: number): string[] {
    for (const d of decisions)
      if (d.outcome === 'send')
        this.lastSent.set(
          this.cooldownKey(
            this.file.routes.find((r) => r.name === d.route)!,
            a,
          ),
          now,
        );
    return reachedChannels(decisions);
  }

  private cooldownKey = (route: Route, a: Alert) => `${route.name}\u0000${a.brand}\u0000${a.kind}`;
}

export const reachedChannels = (decisions: Decision[]) => [...new Set(decisions.flatMap((d) => (d.outcome === 'send' ? d.channels : [])))];
