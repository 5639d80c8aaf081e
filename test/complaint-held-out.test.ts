import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readComplaints } from '../services/classifier/scripts/datasets.js';
import { readHeldOutComplaints } from '../services/classifier/scripts/evaluate.js';

// The accurate tier's encoder is fine-tuned on every complaint domain, so eval:classifier
// scores it from the held-out probabilities its training wrote (finetune_complaint.py).
const SHIPPED = new URL('../services/classifier/models/earshot-minilm-tuned.complaint-cv.json', import.meta.url).pathname;

describe('held-out complaint probabilities', () => {
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
