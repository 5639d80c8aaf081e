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
  const held = valKeys(val);
  const fresh = (set: Labelled[]) => set.filter((e) => !held.has(dedupeKey(e.text)));

  const umsabTrain = UMSAB_LANGUAGES.flatMap((l) => readTextLabels(`umsab/${l}`, 'train').map((e) => ({ ...e, group: l })));
  const sentimentTrain = dedupe(fresh([...readSemeval(), ...umsabTrain]));
  const train = {
    sentiment: sentimentTrain,
    emotion: fresh(readTextLabels('tweeteval/emotion', 'train')),
    offensive: fresh(readTextLabels('tweeteval/offensive', 'train')),
    hate: fresh(readTextLabels('tweeteval/hate', 'train')),
    complaint: readComplaints(),
    lang: languageTraining(fresh(umsabTrain), sentimentTrain),
  };
  return { train, val, source: DATASETS, langCodes: UMSAB_LANGUAGES.map((l) => UMSAB_CODES[l]) };
}

/**
 * The language head's examples: UMSAB's tweets, and about 5,000 English SemEval
 * tweets (englishSample). Most of UMSAB's English train is also in a val split and is dropped,
 * leaving 409 English tweets, too few against romanised Hindi, which mixes in English.
 */
function languageTraining(umsab: Labelled[], sentiment: Labelled[]): Labelled[] {
  const codes = HEADS.lang.labels as readonly string[];
  return [
    ...umsab.map((e) => ({ text: e.text, label: codes.indexOf(UMSAB_CODES[e.group as (typeof UMSAB_LANGUAGES)[number]]) })),
    ...englishSample(sentiment).map((e) => ({ text: e.text, label: codes.indexOf('en') })),
  ];
}

/** Every n-th English SemEval tweet of a sentiment training set, about `about` of them (deterministic). */
function englishSample(sentiment: Labelled[], about = 5_000): Labelled[] {
  const english = sentiment.filter((e) => !(UMSAB_LANGUAGES as readonly string[]).includes(e.group ?? ''));
  const step = Math.max(1, Math.floor(english.length / about));
  return english.filter((_, i) => i % step === 0);
}

/** dedupeKey of every val text: what training must never see. */
function valKeys(val: ReturnType<typeof loadCorpus>['val']): Set<string> {
  const keys = new Set<string>();
  for (const set of [val.sentiment, val.emotion, val.offensive, val.hate, ...Object.values(val.umsab)]) for (const e of set) keys.add(dedupeKey(e.text));
  return keys;
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

/** The newest SemEval release in `semeval/train.tsv`: the shift check scores on it. */
export const SHIFT_CHECK_RELEASE = '2016test';

/**
 * A check that mimics production drift: sentiment trained on the older SemEval
 * releases (2013–2016 train/dev, and UMSAB) only, scored on the newest release, which
 * is later, with new topics, as the hidden SemEval-2017 test is. Any training text
 * also in the check set is dropped.
 */
export function shiftCheck(corpus: ReturnType<typeof loadCorpus>) {
  const check = corpus.train.sentiment.filter((e) => e.group === SHIFT_CHECK_RELEASE);
  const held = new Set(check.map((e) => dedupeKey(e.text)));
  const train = corpus.train.sentiment.filter((e) => e.group !== SHIFT_CHECK_RELEASE && !held.has(dedupeKey(e.text)));
  return { train, check };
}

/**
 * Tweets with no sentiment label (the other tasks' training texts and the irony set),
 * for distilling the accurate tier's sentiment into the fast tier. None is in a val
 * split or the shift check's release.
 */
export function distillationPool(corpus: ReturnType<typeof loadCorpus>): string[] {
  const held = valKeys(corpus.val);
  for (const e of [...shiftCheck(corpus).check, ...corpus.train.sentiment]) held.add(dedupeKey(e.text));
  const texts = [
    ...corpus.train.emotion,
    ...corpus.train.offensive,
    ...corpus.train.hate,
    ...corpus.train.complaint,
    ...readTextLabels('tweeteval/irony', 'train'),
  ].map((e) => e.text);
  return [...new Set(texts)].filter((t) => !held.has(dedupeKey(t)));
}

/**
 * Tweets that are not hateful in HatEval's sense (hate towards immigrants or women): the
 * complaints' tweets to brands and random tweets, and about 5,000 English SemEval
 * tweets (englishSample). The fast tier's hate head learns them as negatives: trained
 * on HatEval alone, whose tweets are all about immigrants or women, it called one tweet
 * to a brand in nine hateful. None is in a val split.
 */
export function ordinaryTweets(corpus: ReturnType<typeof loadCorpus>): Labelled[] {
  const held = valKeys(corpus.val);
  return [...corpus.train.complaint, ...englishSample(corpus.train.sentiment)]
    .filter((e) => !held.has(dedupeKey(e.text)))
    .map((e) => ({ text: e.text, label: 0, group: 'ordinary' }));
}
