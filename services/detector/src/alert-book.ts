import type { Alert } from '@earshot/shared';
import type { Finding } from './finding.js';
import { severityScore } from './severity.js';
import { IncidentGrouping } from './incident-grouping.js';

export interface Firing {
  kind: Alert['kind'];
  brand: string;
  /** What makes two findings the same incident besides kind and brand (an intent, a post). */
  scope: string;
  finding: Finding;
  summary: string;
  samples: Alert['sample_mentions'];
  source?: string;
  intent?: string;
  explanation?: Alert['explanation'];
}

export interface LifecycleOptions {
  /** Quiet this long → resolved. */
  resolveAfterMs: number;
  /** A firing incident re-reports at most this often (unless its severity rises). */
  updateEveryMs: number;
  /** Firing again this soon after resolution continues the same alert instead of opening a new one. */
  cooldownMs: number;
}

export const DEFAULT_LIFECYCLE: LifecycleOptions = { resolveAfterMs: 15 * 60_000, updateEveryMs: 5 * 60_000, cooldownMs: 30 * 60_000 };

const SEVERITY = { info: 0, warning: 1, critical: 2 } as const;

/**
 * The severity label and the 1–10 score tell one story: 8 and up is critical, 4 and up a
 * warning, below that worth a look (info). A detector's own label is a ceiling: a finding
 * it calls info (a campaign's crowd) scores at most 3, one it calls a warning at most 7.
 */
export function gradeOf(kind: Firing['kind'], f: Firing['finding']): { severity: Alert['severity']; severity_score: number } {
  const ceiling = { info: 3, warning: 7, critical: 10 }[f.severity];
  const score = Math.min(ceiling, severityScore(kind, f));
  return { severity: score >= 8 ? 'critical' : score >= 4 ? 'warning' : 'info', severity_score: score };
}
const iso = (ms: number) => new Date(ms).toISOString();
const keyOf = (f: { kind: string; brand: string; scope: string }) => `${f.kind}:${f.brand}:${f.scope}`;

const RESOLVED_PREFIX = ' (resolved: ';
const RESOLVED_NOTE = / \(resolved: [^)]*\)$/;

/**
 * One finding is one alert: opened when a detector first fires, updated while it
 * keeps firing (at most every few minutes, or when it gets worse), resolved after a
 * quiet spell; firing again within the cooldown continues it rather than opening another.
 * Alerts of one trouble are grouped into an incident that pages once (IncidentGrouping).
 */
export class AlertBook {
  private readonly active = new Map<string, { alert: Alert; lastFiring: number; lastReported: number }>();
  private readonly resolved = new Map<string, { alert: Alert; at: number }>();
  private readonly incidents = new IncidentGrouping();

  /** Alerts open now (not yet resolved). */
  get openCount(): number {
    return this.active.size;
  }

  constructor(private readonly opts: LifecycleOptions = DEFAULT_LIFECYCLE) {}

  /** Replaces what it holds with the unresolved alerts as stored (after a restart or a change of leader). */
  restore(alerts: Alert[], keyFor: (a: Alert) => string): void {
    this.active.clear();
    this.resolved.clear();
    this.incidents.restore(alerts);
    for (const a of alerts) {
      const t = Date.parse(a.updated_at);
      this.active.set(keyFor(a), { alert: a, lastFiring: t, lastReported: t });
    }
  }

  openAlerts(): Alert[] {
    return [...this.active.values()].map((x) => x.alert);
  }

  /** When the incident a firing belongs to was opened (ms), or null when it would open now. */
  openedAt(f: Pick<Firing, 'kind' | 'brand' | 'scope'>): number | null {
    const a = this.active.get(keyOf(f))?.alert;
    return a ? Date.parse(a.opened_at) : null;
  }

  /** New alert versions produced by this run's findings at `now`. */
  apply(firings: Firing[], now: number): Alert[] {
    const out: Alert[] = [];
    const seen = new Set<string>();
    for (const f of firings) {
      const key = keyOf(f);
      seen.add(key);
      const current = this.active.get(key);
      const fields = {
        ...gradeOf(f.kind, f.finding),
        // The window the summary's count is over (it moves as the incident goes on).
        window_start: iso(f.finding.windowStart),
        window_end: iso(f.finding.windowEnd),
        observed: f.finding.observed,
        expected: f.finding.expected,
        band: f.finding.band,
        score: Math.min(1, Math.max(0, f.finding.score)),
        summary: f.summary,
        ...(f.explanation ? { explanation: f.explanation } : {}),
        sample_mentions: f.samples,
        ...(f.source ? { source: f.source } : {}),
        ...(f.intent ? { intent: f.intent } : {}),
      };
      if (current) {
        current.lastFiring = now;
        const worse = SEVERITY[fields.severity] > SEVERITY[current.alert.severity];
        if (!worse && now - current.lastReported < this.opts.updateEveryMs) continue;
        // An incident keeps the worst grade it reached, label and score together.
        const peak = (current.alert.severity_score ?? 1) > fields.severity_score ? current.alert : fields;
        current.alert = {
          ...current.alert,
          ...fields,
          severity: peak.severity,
          severity_score: peak.severity_score ?? fields.severity_score,
          status: 'updated',
          updated_at: iso(now),
        };
        current.lastReported = now;
        out.push(current.alert);
        continue;
      }
      const recent = this.resolved.get(key);
      const base: Alert =
        recent && now - recent.at < this.opts.cooldownMs
          ? { ...recent.alert, ...fields, status: 'updated', updated_at: iso(now) }
          : { id: `${key}:${iso(f.finding.windowStart)}`, kind: f.kind, brand: f.brand, status: 'open', ...fields, opened_at: iso(now), updated_at: iso(now) };
      delete (base as Partial<Alert>).resolved_at;
      this.resolved.delete(key);
      this.active.set(key, { alert: base, lastFiring: now, lastReported: now });
      out.push(base);
    }
    for (const [key, state] of this.active) {
      if (seen.has(key) || now - state.lastFiring < this.opts.resolveAfterMs) continue;
      const quiet = Math.round((now - state.lastFiring) / 60_000);
      const alert: Alert = {
        ...state.alert,
        status: 'resolved',
        summary: `${state.alert.summary.replace(RESOLVED_NOTE, '')}${RESOLVED_PREFIX}back within its usual range for ${quiet} min)`,
        updated_at: iso(now),
        resolved_at: iso(now),
      };
      this.active.delete(key);
      this.resolved.set(key, { alert, at: now });
      out.push(alert);
    }
    return out.map((version) => {
      const placed = this.incidents.place(version, now);
      // The book's copy carries the incident into the alert's later versions.
      version.incident_id = placed.incident_id;
      return placed;
    });
  }
}

/**
 * The incident key of a stored alert: its id minus the window start it was opened with
 * (a full ISO time, which itself holds colons and may hold ":20" anywhere).
 */
export const alertKey = (a: Alert) => a.id.replace(/:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, '');
