import { join } from 'node:path';
import { DenseHeads, trainDenseHead } from '../dense/heads.js';
import { TransformersEncoder } from '../encoder.js';
import { HEADS } from '../linear/heads.js';

/**
 * For the accurate tier's tests: trains a sentiment head on the tiny BERT's embeddings of `texts` (labels 0 negative,
 * 1 neutral, 2 positive) and saves it as `heads.json` in `dir`; returns its path.
 */
export async function saveTinySentimentHeads(o: {
  options: Parameters<typeof TransformersEncoder.load>[0];
  dir: string;
  texts: string[];
  labels: number[];
  epochs: number;
  languages?: string[];
}): Promise<string> {
  const encoder = await TransformersEncoder.load(o.options);
  const head = trainDenseHead({ ...HEADS.sentiment, labels: [...HEADS.sentiment.labels] }, await encoder.embed(o.texts), o.labels, {
    epochs: o.epochs,
    learningRate: 0.5,
    l2: 0,
    seed: 1,
  });
  await encoder.dispose();
  const headsPath = join(o.dir, 'heads.json');
  new DenseHeads({
    format: 'earshot-dense-heads/1',
    encoder: { name: 'tiny-bert', dims: 16, pooling: 'mean', normalize: true, ...(o.languages ? { languages: o.languages } : {}) },
    heads: [head],
    trainedOn: { sentiment: o.texts.length },
  }).save(headsPath);
  return headsPath;
}
