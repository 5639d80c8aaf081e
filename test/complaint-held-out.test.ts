import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetMissing } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { readComplaints } from '../services/classifier/scripts/datasets.js';
import { readHeldOutComplaints } from '../services/classifier/scripts/evaluate.js';
import { heldOutShift, isBrandRow, rateMatchedShift } from '../services/classifier/scripts/complaint-calibration.js';
import { logit, sigmoid } from '../services/classifier/src/logit.js';
import type { DenseHeadsFile } from '../services/classifier/src/dense/heads.js';

// The accurate tier's encoder is fine-tuned on every complaint domain, so eval:classifier
// scores it from the held-out probabilities its training wrote (finetune_complaint.py).
const SHIPPED = new URL('../services/classifier/models/earshot-minilm-tuned.complaint-cv.json', import.meta.url).pathname;
const SHIPPED_HEADS = new URL('../services/classifier/models/earshot-minilm-tuned-heads.json', import.meta.url).pathname;

// The complaint rows (complaints/dev.csv) are a public data set kept outside the repository.
const noComplaints = datasetMissing('complaints/dev.csv');
if (noComplaints) console.warn(`skipping the checks that read the complaint rows: ${noComplaints}`);

describe.skipIf(noComplaints !== null)('held-out complaint probabilities', () => {
  it('the shipped file scores every brand-domain row of dev.csv and no random tweet', () => {
    const rows = readComplaints();
    const heldOut = readHeldOutComplaints(SHIPPED, rows);
    const brand = rows.filter((r) => !r.group!.startsWith('random'));
    expect(heldOut.size).toBe(brand.length);
    for (const r of brand) expect(heldOut.get(r.text)).toBeGreaterThanOrEqual(0);
    for (const r of rows.filter((x) => x.group!.startsWith('random'))) expect(heldOut.has(r.text)).toBe(false);
  });

  it('refuses a file made from other rows, naming the command that remakes it', () => {
    const rows = readComplaints();
    const dir = mkdtempSync(join(tmpdir(), 'earshot-cv-'));
    const path = join(dir, 'cv.json');
    writeFileSync(path, JSON.stringify({ rows: rows.length, texts_sha256: '0'.repeat(64), probability: rows.map(() => 0.5) }));
    expect(() => readHeldOutComplaints(path, rows)).toThrow(/other complaint rows.*train:classifier:complaint/);
    const changed = rows.map((r, i) => (i === 7 ? { ...r, text: `${r.text}!` } : r));
    expect(() => readHeldOutComplaints(SHIPPED, changed)).toThrow(/other complaint rows/);
  });
});

describe('complaint decision set on held-out brand domains', () => {
  it('shifts logits so exactly as many rows come out positive as are labelled positive', () => {
    const z = [2, -1, 0.5, -3, 1, 0];
    const positives = (shift: number) => z.filter((v) => v + shift >= 0).length;
    expect(positives(rateMatchedShift(z, [1, 1, 1, 0, 0, 0]))).toBe(3);
    expect(positives(rateMatchedShift(z, [0, 0, 0, 0, 0, 1]))).toBe(1);
    expect(positives(rateMatchedShift(z, [1, 1, 1, 1, 1, 1]))).toBe(6);
    expect(positives(rateMatchedShift(z, [0, 0, 0, 0, 0, 0]))).toBe(0);
    expect(() => rateMatchedShift(z, [1, 0])).toThrow(/one label per logit/);
  });

  it.skipIf(noComplaints !== null)(
    "the shipped accurate head carries the shift its held-out probabilities give (calibrate-complaint.ts), so it calls dev.csv's complaint share",
    () => {
      const rows = readComplaints();
      const heldOut = readHeldOutComplaints(SHIPPED, rows);
      const shift = heldOutShift(rows, heldOut);
      const file = JSON.parse(readFileSync(SHIPPED_HEADS, 'utf8')) as DenseHeadsFile;
      expect(file.heads.find((h) => h.name === 'complaint')!.rateShift).toBeCloseTo(shift, 9);
      const brand = rows.filter(isBrandRow);
      const called = brand.filter((r) => sigmoid(logit(heldOut.get(r.text)!) + shift) >= 0.5).length;
      expect(called).toBe(brand.filter((r) => r.label === 1).length);
      // Left without the shift, the class-balanced head calls fewer: the shift is what sets the rate.
      expect(brand.filter((r) => heldOut.get(r.text)! >= 0.5).length).toBeLessThan(called);
    },
  );
});
