import { datasetMissing } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { distilledSentiment, languageTargets, loadLanguageTeacher, otherLanguages, FAST_RECIPE } from '../services/classifier/scripts/train-linear.js';
import { readTextLabels } from '../services/classifier/scripts/datasets.js';

// The fast tier learns UMSAB's tweets outside English from their gold labels blended with
// the multilingual encoder's probabilities (issue 42; docs/model-card.md, footnote 9).
const features = FAST_RECIPE.features;
const english = { labelled: [[0.1, 0.2, 0.7]], pool: [] };

describe("the fast tier's multilingual teacher", () => {
  it('blends a taught tweet gold-first, keeps gold where the teacher has no reading, and English with its own teacher', () => {
    const labelled = [
      { text: 'le service est nul', label: 0, group: 'french' },
      { text: 'un tweet que le professeur ne connaît pas', label: 1, group: 'french' },
      { text: 'great service', label: 2 },
    ];
    const targets = new Map([['french\u0000le service est nul', [0.2, 0.3, 0.5]]]);
    const teacher = {
      labelled: [
        [0, 0, 0],
        [0, 0, 0],
        [0.1, 0.2, 0.7],
      ],
      pool: [],
    };
    const [taught, untaught, en] = distilledSentiment(labelled, [], teacher, features, { weight: 2, teacher: { targets, blend: 0.5 } });
    expect(Array.from(taught!.soft!)).toEqual([0.6, 0.15, 0.25]);
    expect(taught!.weight).toBe(2);
    expect(untaught!.soft).toBeUndefined();
    expect(untaught!.label).toBe(1);
    expect(en!.soft).toEqual([0.1, 0.2, 0.7]);
  });

  it('refuses a recipe that asks for the teacher when none is given', () => {
    expect(() => otherLanguages(FAST_RECIPE)).toThrow(/learns from the multilingual teacher/);
    expect(
      distilledSentiment([{ text: 'hi', label: 2 }], [], english, features, otherLanguages({ ...FAST_RECIPE, multilingualTeacher: undefined }))[0]!.soft,
    ).toEqual([0.1, 0.2, 0.7]);
  });

  const missing = datasetMissing('umsab/french/train_text.txt');
  if (missing) console.warn(`skipping the check of the shipped teacher against UMSAB train: ${missing}`);
  it.skipIf(missing !== null)(
    'the shipped teacher reads every train tweet of its languages, as probabilities, and says to rerun it when the data differ',
    () => {
      const teacher = loadLanguageTeacher();
      expect(Object.keys(teacher.languages).sort()).toEqual(['arabic', 'french', 'german', 'hindi', 'italian', 'portuguese', 'spanish']);
      const targets = languageTargets(teacher);
      for (const [language, probs] of Object.entries(teacher.languages)) {
        const train = readTextLabels(`umsab/${language}`, 'train');
        expect(probs).toHaveLength(train.length);
        expect(targets.get(`${language}\u0000${train[0]!.text}`)).toBeDefined();
        for (const p of probs) expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(0.01);
      }
      expect(() => languageTargets({ source: 'test', languages: { french: [[1, 0, 0]] } })).toThrow(/rerun teach_fast\.py/);
    },
  );
});
