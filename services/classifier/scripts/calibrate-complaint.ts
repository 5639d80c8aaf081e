// npm run train:classifier:complaint runs this last: shifts the accurate tier's complaint
// head so it calls as many complaints as there are on held-out brand domains, from the
// held-out probabilities its training wrote (complaint-cv.json). Rerunning it gives the same file.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_HEADS } from '../src/create-classifier.js';
import type { DenseHeadsFile } from '../src/dense/heads.js';
import { readComplaints } from './datasets.js';
import { readHeldOutComplaints } from './evaluate.js';
import { heldOutShift, isBrandRow } from './complaint-calibration.js';

const headsPath = process.argv[2] ?? DEFAULT_HEADS;
const cvPath = process.argv[3] ?? join(dirname(headsPath), 'earshot-minilm-tuned.complaint-cv.json');
const rows = readComplaints();
const shift = heldOutShift(rows, readHeldOutComplaints(cvPath, rows));
const file = JSON.parse(readFileSync(headsPath, 'utf8')) as DenseHeadsFile;
const head = file.heads.find((h) => h.name === 'complaint');
if (!head) throw new Error(`${headsPath} has no complaint head`);
// The bias as trained, then this shift: applying it twice must not add it twice.
head.bias = [head.bias[0]! - (head.rateShift ?? 0) + shift];
head.rateShift = shift;
writeFileSync(headsPath, JSON.stringify(file));
process.stderr.write(
  `[calibrate] complaint head: logit shift ${shift.toFixed(3)} (bias ${head.bias[0]!.toFixed(3)}), fitted on ${rows.filter(isBrandRow).length} held-out brand-domain tweets\n`,
);
