import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetsDir, parseCsv } from '@earshot/shared';

/** ../shared/datasets beside the repository (EARSHOT_DATASETS overrides). */
export const DATASETS = datasetsDir();

export interface Labelled {
  text: string;
  label: number;
  group?: string;
}

/** A CSV file of the data sets as objects keyed by its header (rows of another length left out). */
export function csvRows(file: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(readFileSync(join(DATASETS, file), 'utf8'));
  return rows.filter((r) => r.length === head!.length).map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}

export function requireDatasets(): void {
  if (!existsSync(DATASETS)) {
    throw new Error(
      `labelled data not found at ${DATASETS}: put the public data sets beside the repository (../shared/datasets) or set EARSHOT_DATASETS; docs/datasets.md says where each comes from`,
    );
  }
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1)
    .map((l) => l.replace(/\r$/, ''));

/** TweetEval/UMSAB layout: <split>_text.txt and <split>_labels.txt, one example a line. */
export function readTextLabels(dir: string, split: 'train' | 'val'): Labelled[] {
  const texts = lines(join(DATASETS, dir, `${split}_text.txt`));
  const labels = lines(join(DATASETS, dir, `${split}_labels.txt`));
  if (texts.length !== labels.length) throw new Error(`${dir}/${split}: ${texts.length} texts but ${labels.length} labels`);
  return texts.map((text, i) => ({ text, label: Number(labels[i]) }));
}

const SEMEVAL_LABELS: Record<string, number> = { negative: 0, neutral: 1, positive: 2 };

/** semeval/train.tsv: id, label, split, text; no quote handling (tweets hold raw quotes). */
export function readSemeval(): Labelled[] {
  return lines(join(DATASETS, 'semeval/train.tsv'))
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((p) => p.length >= 4 && p[1]! in SEMEVAL_LABELS)
    .map((p) => ({ text: p.slice(3).join('\t'), label: SEMEVAL_LABELS[p[1]!]!, group: p[2] }));
}

/** complaints/dev.csv: id,text,label,domain, with RFC 4180 quoting. */
export function readComplaints(): Labelled[] {
  const rows = parseCsv(readFileSync(join(DATASETS, 'complaints/dev.csv'), 'utf8'));
  const [header, ...data] = rows;
  const at = (name: string) => header!.indexOf(name);
  return data.filter((r) => r.length === header!.length).map((r) => ({ text: r[at('text')]!, label: Number(r[at('label')]), group: r[at('domain')] }));
}

export const UMSAB_LANGUAGES = ['arabic', 'english', 'french', 'german', 'hindi', 'italian', 'portuguese', 'spanish'] as const;
export const UMSAB_CODES: Record<(typeof UMSAB_LANGUAGES)[number], string> = {
  arabic: 'ar',
  english: 'en',
  french: 'fr',
  german: 'de',
  hindi: 'hi',
  italian: 'it',
  portuguese: 'pt',
  spanish: 'es',
};

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * A loose identity for a tweet across releases: HTML entities, user mentions, links,
 * case, spacing and punctuation differ between copies of the same tweet (TweetEval
 * writes mentions as @user, older releases keep &amp; and full links).
 */
export function dedupeKey(text: string): string {
  const key = text
    .replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m)
    .replace(/@\w+/g, '')
    .replace(/https?:\/\/\S+/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
  return key.length >= 8 ? key : text.toLowerCase().trim();
}

export const INTENT_SET = join(dirname(fileURLToPath(import.meta.url)), '../eval/intents.tsv');

/**
 * The labelled intent set (docs/intent-guidelines.md): source, tweet id and labels in
 * the repo, each text read from ../shared/datasets by its id.
 */
export function readIntentSet(): { text: string; intents: string[] }[] {
  const complaints = new Map(
    parseCsv(readFileSync(join(DATASETS, 'complaints/dev.csv'), 'utf8'))
      .slice(1)
      .map((r) => [r[0]!, r[1]!] as const),
  );
  const semeval = new Map(
    lines(join(DATASETS, 'semeval/train.tsv'))
      .slice(1)
      .map((l) => l.split('\t'))
      .map((p) => [p[0]!, p.slice(3).join('\t')] as const),
  );
  return lines(INTENT_SET)
    .slice(1)
    .map((l) => l.split('\t'))
    .map(([source, id, labels]) => {
      const text = (source === 'complaints' ? complaints : semeval).get(id!);
      if (text === undefined) throw new Error(`${INTENT_SET}: ${source} tweet ${id} is not in ${DATASETS}`);
      return { text, intents: labels ? labels.split(',') : [] };
    });
}
