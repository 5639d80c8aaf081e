import { readFile, writeFile } from 'node:fs/promises';
import { parseSeriesCsv, scoreSeries } from '@earshot/detector';
import { fmt } from '../progress.js';

/**
 * `earshot detect --input series.csv --output scores.csv`: `timestamp,value` rows in,
 * `timestamp,value,anomaly_score` out, scored causally by the detection core the stream
 * detectors use (SeriesCore, with the settings `npm run eval:detector` scores).
 */
export async function detectCommand(opts: { input: string; output: string }): Promise<void> {
  const series = parseSeriesCsv(await readFile(opts.input, 'utf8'), opts.input);
  const scores = scoreSeries(series.values, series.timestamps);
  const lines = series.timestamps.map((t, i) => `${t},${series.values[i]},${scores[i]!.toFixed(6)}`);
  await writeFile(opts.output, `timestamp,value,anomaly_score\n${lines.join('\n')}\n`);
  const flagged = scores.filter((s) => s >= 0.5).length;
  process.stderr.write(
    `Scored ${fmt(series.values.length)} rows into ${opts.output} (${fmt(flagged)} at 0.5 or above: a surprise as large as the largest lately, or a pattern never seen)\n`,
  );
}
