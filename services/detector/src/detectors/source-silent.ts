import type { Sensitivity } from '@earshot/shared';
import { seasoned } from '../checks/history.js';
import { DEFAULT_SILENCE, detectSilence, type SilenceOptions } from '../checks/silence.js';
import { windowMinutes } from '../finding.js';
import type { Detector } from './contract.js';

/**
 * Its thresholds per sensitivity: nothing at all where this many mentions were expected
 * (P(0) = e^−expected). Medium's 14 is as strict as the count surge's p < 1e-6; high pages
 * on a silence of 11 expected, low waits for 18.
 */
export const SILENCE_LEVELS: Record<Sensitivity, SilenceOptions> = {
  low: { ...DEFAULT_SILENCE, minExpected: 18 },
  medium: DEFAULT_SILENCE,
  high: { ...DEFAULT_SILENCE, minExpected: 11 },
};

/** A source with no mention at all where its usual traffic makes silence nearly impossible. */
export const sourceSilent: Detector = {
  kind: 'source_silent',
  catches: ['silence'],
  detect(s, o) {
    return [...s.bySource].flatMap(([source, x]) => {
      const f = seasoned(x.total, o.minHistory) ? detectSilence(x.total, o.silence) : null;
      return f
        ? [
            {
              kind: 'source_silent' as const,
              scope: `source:${source}`,
              source,
              finding: f,
              summary: `no mention from ${source} in ${windowMinutes(f)} min, about ${f.expected} expected: is its connector working?`,
            },
          ]
        : [];
    });
  },
};
