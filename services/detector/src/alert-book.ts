import type { Alert } from '@earshot/shared';
import type { Finding } from './detectors.js';
import { severityScore } from './severity.js';

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
const iso = (ms: number) => new Date(ms).toISOString();
const keyOf = (f: { kind: string; brand: string; scope: string }) => `${f.kind}:${f.brand}:${f.scope}`;

/**
 * One incident is one alert: opened when a detector first fires, updated while it
 * keeps firing (at most every few minutes, or when it gets worse), resolved after a
 * quiet spell; firing again within the cooldown continues it rather than opening another.
 */
export class AlertBook {
  private readonly active = new Map<string, { alert: Alert; lastFiring: number; lastReported: number }>();
  private readonly resolved = new Map<string, { alert: Alert; at: number }>();

  constructor(private readonly opts: LifecycleOptions = DEFAULT_LIFECYCLE) {}

  /** Replaces what it holds with the unresolved alerts as stored (after a restart or a change of leader). */
  restore(alerts: Alert[], keyFor: (a: Alert) => string): void {
    this.active.clear();
    this.resolved.clear();
    for (const a of alerts) {
      const t = Date.parse(a.updated_at);
      this.active.set(keyFor(a), { alert: a, lastFiring: t, lastReported: t });
    }
  }

  openAlerts(): Alert[] {
    return [...this.active.values()].map((x) => x.alert);
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
        severity: f.finding.severity,
        window_start: iso(f.finding.windowStart),
        window_end: iso(f.finding.windowEnd),
        observed: f.finding.observed,
        expected: f.finding.expected,
        band: f.finding.band,
        score: Math.min(1, Math.max(0, f.finding.score)),
        summary: f.summary,
        severity_score: severityScore(f.kind, f.finding),
        ...(f.explanation ? { explanation: f.explanation } : {}),
        sample_mentions: f.samples,
        ...(f.source ? { source: f.source } : {}),
        ...(f.intent ? { intent: f.intent } : {}),
      };
      if (current) {
        current.lastFiring = now;
        const worse = SEVERITY[f.finding.severity] > SEVERITY[current.alert.severity];
        if (!worse && now - current.lastReported < this.opts.updateEveryMs) continue;
        current.alert = {
          ...current.alert,
          ...fields,
          window_start: current.alert.window_start,
          severity: worse ? f.finding.severity : current.alert.severity,
          severity_score: Math.max(current.alert.severity_score ?? 1, fields.severity_score),
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
          ? { ...recent.alert, ...fields, window_start: recent.alert.window_start, status: 'updated', updated_at: iso(now) }
          : { id: `${key}:${iso(f.finding.windowStart)}`, kind: f.kind, brand: f.brand, status: 'open', ...fields, opened_at: iso(now), updated_at: iso(now) };
      delete (base as Partial<Alert>).resolved_at;
      this.resolved.delete(key);
      this.active.set(key, { alert: base, lastFiring: now, lastReported: now });
      out.push(base);
    }
    for (const [key, state] of this.active) {
      if (seen.has(key) || now - state.lastFiring < this.opts.resolveAfterMs) continue;
      const alert: Alert = { ...state.alert, status: 'resolved', updated_at: iso(now), resolved_at: iso(now) };
      this.active.delete(key);
      this.resolved.set(key, { alert, at: now });
      out.push(alert);
    }
    return out;
  }
}

/**
 * The incident key of a stored alert: its id minus the window start it was opened with
 * (a full ISO time, which itself holds colons and may hold ":20" anywhere).
 */
export const alertKey = (a: Alert) => a.id.replace(/:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, '');
