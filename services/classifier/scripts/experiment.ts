// Scratch tuning on val (not part of the product): npx tsx scripts/experiment.ts
import { featurize } from '../src/linear/features.js';
import { trainHead } from '../src/linear/trainer.js';
import { LinearModel } from '../src/linear/model.js';
import { positiveF1 } from '../src/linear/metrics.js';
import { HEADS } from '../src/linear/heads.js';
import { loadCorpus } from './corpus.js';

const { train } = loadCorpus();
const base = LinearModel.load('models/earshot-linear-fast.bin');
const rows = train.complaint;
const domains = [...new Set(rows.map((r) => r.group!))].filter((d) => !d.startsWith('random'));
const bucket = (p: number) => Math.min(4, Math.floor(p * 5));
function feats(text: string, stack: boolean, bits: number) {
  const f = featurize(text, { bits, charMin: 2, charMax: 5 });
  if (!stack) return f;
  const p = base.predict(text);
  const extra: string[] = [];
  for (const [head, probs] of Object.entries(p)) if (head !== 'lang' && head !== 'complaint') for (const [l, v] of Object.entries(probs)) extra.push(`${head}:${l}:${bucket(v)}`);
  const mask = (1 << bits) - 1;
  const more = extra.map((s) => { let h = 0x811c9dc5; for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); } return (h >>> 0) & mask; });
  return Uint32Array.from(new Set([...f, ...more, ...more.map((m) => (m * 7 + 1) & mask)]));
}
for (const [stack, epochs, lr, l2] of [[false, 6, 0.5, 1e-6], [true, 6, 0.5, 1e-6], [true, 4, 0.5, 1e-5], [true, 10, 0.3, 1e-6], [false, 3, 0.5, 1e-5]] as const) {
  const gold: number[] = [];
  const pred: number[] = [];
  for (const d of domains) {
    const tr = rows.filter((r) => r.group !== d).map((r) => ({ features: feats(r.text, stack, 18), label: r.label }));
    const head = trainHead({ ...HEADS.complaint, labels: ['complaint'] }, tr, { dim: 1 << 18, epochs, learningRate: lr, l2, balanced: true, seed: 1 });
    const m = new LinearModel({ name: 'x', version: '0', features: { bits: 18, charMin: 2, charMax: 5 }, heads: [head], trainedOn: {} });
    for (const r of rows.filter((r) => r.group === d)) {
      gold.push(r.label);
      pred.push(Number(m.predictFeatures(feats(r.text, stack, 18)).complaint!.complaint! >= 0.5));
    }
  }
  console.log({ stack, epochs, lr, l2 }, 'complaint F1', (100 * positiveF1(gold, pred)).toFixed(1));
}
