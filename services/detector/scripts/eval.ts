// npm run eval:detector — the product's detection core (SeriesCore with `earshot detect`'s
// settings, DETECT_CORE) over the NAB series in ../shared/datasets/nab, scored by NAB's rules
// (nab-score.ts, checked against NAB's published scoring in a test): one threshold per profile
// chosen on the whole corpus, scores per category and overall, leave-one-category-out beside
// them, the Numenta HTM detector's published scores on the same series, and speed.
// EARSHOT_NAB_VIEWS=surge scores the surge view alone (the evidence the stream detectors page on).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { datasetMissing, datasetPath } from '@earshot/shared';
import { scoreSeries } from '../src/anomaly-scorer.js';
import { PROFILES, leaveOneCategoryOut, nabScore, normalise, optimiseThreshold, type LabelledSeries, type ProfileName } from '../src/nab-score.js';
import { loadNab } from '../src/nab-data.js';

// EARSHOT_NAB_DIR may name a full NAB checkout (data/ and labels/); the shared subset by default.
const root = process.env.EARSHOT_NAB_DIR ? resolve(process.env.EARSHOT_NAB_DIR) : datasetPath('nab');
if (!process.env.EARSHOT_NAB_DIR && datasetMissing('nab')) {
  process.stderr.write(`eval:detector: ${datasetMissing('nab')}\n`);
  process.exit(2);
}
const views = process.env.EARSHOT_NAB_VIEWS ?? 'all';
if (views !== 'all' && views !== 'surge') {
  process.stderr.write(`eval:detector: EARSHOT_NAB_VIEWS must be all or surge, not ${views}\n`);
  process.exit(2);
}
const data = loadNab(root);
const points = data.reduce((n, d) => n + d.series.values.length, 0);
const started = performance.now();
const ours: (LabelledSeries & { category: string })[] = data.map(({ category, series, windows }) => ({
  category,
  name: series.name,
  timestamps: series.timestamps,
  scores: scoreSeries(series.values, series.timestamps, views === 'surge' ? { shapes: null } : {}),
  windows,
}));
const seconds = (performance.now() - started) / 1000;

/** The HTM detector's published anomaly scores for the same series, when the reference is there. */
function reference(): typeof ours | null {
  const dir = join(root, 'reference', 'numenta');
  const out = [];
  for (const s of ours) {
    const [category, file] = s.name.split('/');
    const path = join(dir, category!, `numenta_${file}`);
    if (!existsSync(path)) return null;
    const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1);
    out.push({ ...s, scores: rows.map((r) => Number(r.split(',')[2])) });
  }
  return out;
}
const htm = reference();
const categories = [...new Set(ours.map((l) => l.category))];
const windowsIn = (part: typeof ours) => part.reduce((n, l) => n + l.windows.length, 0);
const lines: string[] = [
  `NAB on ${ours.length} series, ${windowsIn(ours)} anomaly windows (${root}); ${views === 'surge' ? 'surge view alone' : 'every view of the core'}; one threshold per profile for the whole corpus`,
  '',
];
for (const name of Object.keys(PROFILES) as ProfileName[]) {
  const profile = PROFILES[name];
  const best = optimiseThreshold(ours, profile);
  const ref = htm ? optimiseThreshold(htm, profile) : null;
  lines.push(`${name}: Earshot threshold ${best.threshold.toFixed(4)}${ref ? `, Numenta HTM ${ref.threshold.toFixed(4)}` : ''}`);
  lines.push(`| category | series | windows | Earshot |${ref ? ' Numenta HTM |' : ''}`, `|---|---|---|---|${ref ? '---|' : ''}`);
  for (const c of categories) {
    const part = ours.filter((l) => l.category === c);
    const cell = (set: typeof ours, t: number) => {
      const r = nabScore(
        set.filter((l) => l.category === c),
        t,
        profile,
      );
      return windowsIn(part) ? r.score.toFixed(1) : `n/a (false-positive cost ${r.raw.toFixed(2)})`;
    };
    lines.push(`| ${c} | ${part.length} | ${windowsIn(part)} | ${cell(ours, best.threshold)} |${ref && htm ? ` ${cell(htm, ref.threshold)} |` : ''}`);
  }
  lines.push(`| **all** | ${ours.length} | ${windowsIn(ours)} | **${best.score.toFixed(1)}** |${ref ? ` ${ref.score.toFixed(1)} |` : ''}`);
  const loco = (set: typeof ours) => leaveOneCategoryOut(set, profile).toFixed(1);
  lines.push(
    `| all, each category at the threshold from the others | ${ours.length} | ${windowsIn(ours)} | ${loco(ours)} |${htm ? ` ${loco(htm)} |` : ''}`,
    '',
  );
}
// The figures above choose the threshold on the series they score. Two checks that do not:
// each series scored at the threshold chosen on the others, and one category at the
// threshold chosen on the rest (the hidden series are other kinds of data).
lines.push(
  'Threshold chosen without the series scored (standard profile):',
  '| check | Earshot |' + (htm ? ' Numenta HTM |' : ''),
  `|---|---|${htm ? '---|' : ''}`,
);
const heldOut = (set: typeof ours, chosenOn: (s: (typeof ours)[number]) => typeof ours) => {
  let raw = 0;
  for (const s of set) raw += nabScore([s], optimiseThreshold(chosenOn(s), PROFILES.standard).threshold, PROFILES.standard).raw;
  return normalise(raw, windowsIn(set), PROFILES.standard).toFixed(1);
};
const row = (label: string, pick: (all: typeof ours) => [typeof ours, (s: (typeof ours)[number]) => typeof ours]) => {
  const cells = [ours, ...(htm ? [htm] : [])].map((all) => heldOut(...pick(all)));
  lines.push(`| ${label} | ${cells.join(' | ')} |`);
};
row('every series, threshold from the other series', (all) => [all, (s) => all.filter((x) => x.name !== s.name)]);
for (const c of categories.filter((c) => windowsIn(ours.filter((l) => l.category === c)) > 0))
  row(`${c}, threshold from the other categories`, (all) => [all.filter((l) => l.category === c), () => all.filter((l) => l.category !== c)]);
lines.push('');
lines.push(
  'published, whole NAB corpus (58 series), standard profile: ARTime 74.9, Numenta HTM 70.1, CAD-OSE 69.9, KNN-CAD 58.0, Skyline 58.2, Random Cut Forest 51.7, Twitter ADVec 47.1',
  `speed: ${points.toLocaleString('en-US')} points in ${seconds.toFixed(2)} s, ${Math.round(points / seconds).toLocaleString('en-US')} points/s on one core`,
);
process.stdout.write(`${lines.join('\n')}\n`);
