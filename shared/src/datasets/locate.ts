import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The labelled public data sets (tweet sentiment, complaints, NAB, stories…) are not part of
// the repository: EARSHOT_DATASETS names their folder, `../shared/datasets` beside the
// repository is the default. Tests that need one skip with `datasetMissing`'s message.
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The data sets folder: EARSHOT_DATASETS, or ../shared/datasets beside the repository. */
export function datasetsDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.EARSHOT_DATASETS ?? join(REPO_ROOT, '..', 'shared', 'datasets'));
}

/** Where one data set (a sub-folder such as `nab` or `complaints/dev.csv`) lives. */
export function datasetPath(set: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(datasetsDir(env), set);
}

/**
 * Null when the data set is there; otherwise the reason a test or script gives for not
 * running, naming the set and how to get it.
 */
export function datasetMissing(set: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const path = datasetPath(set, env);
  if (existsSync(path)) return null;
  return `data set "${set}" not found at ${path}: set EARSHOT_DATASETS to the folder holding the public data sets (see docs/datasets.md for where each comes from)`;
}
