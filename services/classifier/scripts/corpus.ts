import { HEADS } from '../src/linear/heads.js';
import { DATASETS, UMSAB_CODES, UMSAB_LANGUAGES, dedupeKey, readComplaints, readSemeval, readTextLabels, requireDatasets, type Labelled } from './datasets.js';

/**
 * The training and validation sets of every head. Any training text that also stands
 * in a validation split (TweetEval's val was drawn from the SemEval releases, and
 * UMSAB English overlaps it) is left out of training, so val figures are honest.
 */
export function loadCorpus() {
  requireDatasets();
  const val = {
    sentiment: readTextLabels('tweeteval/sentiment', 'val'),
    emotion: readTextLabels('tweeteval/emotion', 'val'),
    offensive: readTextLabels('tweeteval/offensive', 'val'),
    hate: readTextLabels('tweeteval/hate', 'val'),
    umsab: Object.fromEntries(UMSAB_LANGUAGES.map((l) => [l, readTextLabels(`umsab/${l}`, 'val')])) as Record<(typeof UMSAB_LANGUAGES)[number], Labelled[]>,
  };
  const held = new Set<string>();
  for (const set of [val.sentiment, val.emotion, val.offensive, val.hate, ...Object.values(val.umsab)]) for (const e of set) held.add(dedupeKey(e.text));
  const fresh = (set: Labelled[]) => set.filter((e) => !held.has(dedupeKey(e.text)));

  const umsabTrain = UMSAB_LANGUAGES.flatMap((l) => readTextLabels(`umsab/${l}`, 'train').map((e) => ({ ...e, group: l })));
  const sentimentTrain = dedupe(fresh([...readSemeval(), ...umsabTrain]));
  const train = {
    sentiment: sentimentTrain,
    emotion: fresh(readTextLabels('tweeteval/emotion', 'train')),
    offensive: fresh(readTextLabels('tweeteval/offensive', 'train')),
    hate: fresh(readTextLabels('tweeteval/hate', 'train')),
    complaint: readComplaints(),
    lang: fresh(umsabTrain)
      .filter((e) => e.group !== 'hindi')
      .map((e) => ({ text: e.text, label: (HEADS.lang.labels as readonly string[]).indexOf(UMSAB_CODES[e.group as (typeof UMSAB_LANGUAGES)[number]]) })),
  };
  return { train, val, source: DATASETS, langCodes: UMSAB_LANGUAGES.map((l) => UMSAB_CODES[l]) };
}

function dedupe(set: Labelled[]): Labelled[] {
  const seen = new Set<string>();
  return set.filter((e) => {
    const k = dedupeKey(e.text);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
