import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetMissing, datasetPath } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { PROFILES, nabScore, scoreAt, type ProfileName } from './nab-score.js';
import { nabTime } from './nab-data.js';

// NAB's own scoring of the Numenta HTM detector's published results (numenta/NAB results/numenta/),
// kept in the NAB data set's reference/ folder: our scorer must give the same figures from the same scores.
const root = datasetPath('nab');
const missing = datasetMissing('nab/reference/numenta');
if (missing) console.warn(`skipping the NAB scorer check: ${missing}`);
const readJson = (file: string) => (missing ? {} : JSON.parse(readFileSync(join(root, file), 'utf8')));
const windows = readJson('combined_windows.json') as Record<string, [string, string][]>;
const thresholds = (readJson('reference/numenta/thresholds.json').numenta ?? {}) as Record<ProfileName, { threshold: number; score: number }>;
const profilesFile = readJson('reference/profiles.json') as Record<ProfileName, { CostMatrix: Record<string, number> }>;

function htmSeries(file: string) {
  const [category, name] = file.split('/');
  const rows = readFileSync(join(root, 'reference/numenta', category!, `numenta_${name}`), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  return {
    name: file,
    timestamps: rows.map((r) => r[0]!),
    scores: rows.map((r) => Number(r[2])),
    windows: windows[file]!.map(([a, b]) => [nabTime(a), nabTime(b)] as [string, string]),
  };
}

describe.skipIf(missing !== null)("NAB scorer against NAB's published scoring of the Numenta HTM detector", () => {
  for (const profile of Object.keys(PROFILES) as ProfileName[]) {
    it(`${profile}: same cost matrix, and per series the same score, TP, FP and FN at NAB's threshold`, () => {
      const cm = profilesFile[profile].CostMatrix;
      expect(PROFILES[profile]).toEqual({ tpWeight: cm.tpWeight, fpWeight: cm.fpWeight, fnWeight: cm.fnWeight });
      const rows = readFileSync(join(root, `reference/numenta/numenta_${profile}_scores.csv`), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      expect(rows).toHaveLength(16);
      const threshold = thresholds[profile].threshold;
      for (const [, , file, , score, tp, tn, fp, fn] of rows) {
        const got = scoreAt(htmSeries(file!), threshold, PROFILES[profile]);
        expect({ file, score: got.score, tp: got.tp, tn: got.tn, fp: got.fp, fn: got.fn }).toEqual({
          file,
          score: expect.closeTo(Number(score), 9),
          tp: Number(tp),
          tn: Number(tn),
          fp: Number(fp),
          fn: Number(fn),
        });
      }
    });
  }

  it('normalises a corpus as NAB does: 0 for the null detector, 100 × (raw − null) / (perfect − null)', () => {
    const all = Object.keys(windows).map(htmSeries);
    const n = all.reduce((k, s) => k + s.windows.length, 0);
    const r = nabScore(all, thresholds.standard.threshold, PROFILES.standard);
    expect(r.score).toBeCloseTo((100 * (r.raw + n)) / (2 * n), 9);
    expect(nabScore(all, 2, PROFILES.standard).score).toBe(0);
  });
});
