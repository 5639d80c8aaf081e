/**
 * The kinds of incident a stream detector exists to catch: what the registry's `catches`
 * names, and what `npm run eval:alerts` injects into simulated brand-weeks to check it.
 * Live code reads this list; only the evaluation reads the simulator.
 */
export const INCIDENT_KINDS = ['outage', 'slide', 'viral', 'backlash', 'campaign', 'silence', 'control'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
