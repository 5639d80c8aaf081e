import type { Alert } from '@earshot/shared';

/**
 * How long after an incident's last alert resolved a new alert of the same trouble takes
 * it up again instead of opening a second incident: as long as an alert's own cooldown
 * (DEFAULT_LIFECYCLE.cooldownMs), so a flapping outage stays one page.
 */
export const INCIDENT_REJOIN_MS = 30 * 60_000;

/**
 * What trouble an alert is about. The audience's reaction (negative volume, complaints,
 * sentiment, a volume spike, a viral negative post) is one trouble seen by several
 * detectors; a silent source, a care backlog and a new story are their own, joining
 * another incident only while their window overlaps it.
 */
export const INCIDENT_FAMILY: Record<Alert['kind'], 'audience' | 'silence' | 'care' | 'story'> = {
  negative_volume_surge: 'audience',
  net_sentiment_drop: 'audience',
  complaint_surge: 'audience',
  volume_spike: 'audience',
  viral_negative: 'audience',
  source_silent: 'silence',
  care: 'care',
  emerging_story: 'story',
};

const RANK = { info: 0, warning: 1, critical: 2 } as const;

interface Incident {
  id: string;
  brand: string;
  family: (typeof INCIDENT_FAMILY)[Alert['kind']];
  /** Its alerts not yet resolved, by id. */
  open: Set<string>;
  /** The worst severity it paged with. */
  peak: number;
  /** The span its alerts' windows cover (ms). */
  from: number;
  to: number;
  resolvedAt: number | null;
}

/**
 * Groups a brand's alerts into incidents, one page each: the first alert opens an incident
 * named by its id and pages; a later alert of the same trouble (or any alert whose window
 * overlaps it) joins while it is open, quietly unless it raises the incident's severity;
 * the incident resolves, and pages, when its last alert resolves. What it needs is on the
 * stored alerts (their incident_id, status and severity), so restore() takes the open
 * incidents up again after a restart.
 */
export class IncidentGrouping {
  private readonly incidents = new Map<string, Incident>();

  /** Replaces what it holds with the incidents of these unresolved alerts (as stored). */
  restore(open: readonly Alert[]): void {
    this.incidents.clear();
    for (const a of [...open].sort((x, y) => x.opened_at.localeCompare(y.opened_at) || x.id.localeCompare(y.id))) {
      const id = a.incident_id ?? a.id;
      const inc = this.incidents.get(id) ?? this.create(id, a);
      inc.open.add(a.id);
      inc.peak = Math.max(inc.peak, RANK[a.severity]);
      this.widen(inc, a);
    }
  }

  /** The version with its incident_id, flagged `quiet` unless it pages; versions of one run in order. */
  place(a: Alert, now: number): Alert {
    for (const [id, inc] of this.incidents) if (inc.resolvedAt !== null && now - inc.resolvedAt >= INCIDENT_REJOIN_MS) this.incidents.delete(id);
    // An alert keeps the incident it was placed in; only a new one looks for one to join.
    let inc = a.incident_id ? this.incidents.get(a.incident_id) : this.joinable(a);
    if (!inc) {
      inc = this.create(a.incident_id ?? a.id, a);
      if (a.status === 'resolved') inc.resolvedAt = now;
      else inc.open.add(a.id);
      inc.peak = RANK[a.severity];
      return { ...a, incident_id: inc.id };
    }
    const wasResolved = inc.resolvedAt !== null;
    let pages: boolean;
    if (a.status === 'resolved') {
      inc.open.delete(a.id);
      pages = !wasResolved && inc.open.size === 0;
      if (pages) inc.resolvedAt = now;
    } else {
      inc.open.add(a.id);
      inc.resolvedAt = null;
      this.widen(inc, a);
      pages = wasResolved || RANK[a.severity] > inc.peak;
      inc.peak = Math.max(inc.peak, RANK[a.severity]);
    }
    return { ...a, incident_id: inc.id, ...(pages ? {} : { quiet: true as const }) };
  }

  /** The brand's incident this new alert joins: the first opened of the same trouble, or one it overlaps while open. */
  private joinable(a: Alert): Incident | undefined {
    const [from, to] = [Date.parse(a.window_start), Date.parse(a.window_end)];
    return [...this.incidents.values()].find(
      (inc) => inc.brand === a.brand && (inc.family === INCIDENT_FAMILY[a.kind] || (inc.resolvedAt === null && from <= inc.to && to >= inc.from)),
    );
  }

  private create(id: string, a: Alert): Incident {
    const inc: Incident = {
      id,
      brand: a.brand,
      family: INCIDENT_FAMILY[a.kind],
      open: new Set(),
      peak: 0,
      from: Date.parse(a.window_start),
      to: Date.parse(a.window_end),
      resolvedAt: null,
    };
    this.incidents.set(id, inc);
    return inc;
  }

  private widen(inc: Incident, a: Alert): void {
    inc.from = Math.min(inc.from, Date.parse(a.window_start));
    inc.to = Math.max(inc.to, Date.parse(a.window_end));
  }
}
