import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { LinearModel } from './linear/model.js';
import { DenseHeads } from './dense/heads.js';
import { TransformersEncoder, type EncoderOptions } from './encoder.js';
import { emptyEnrichment, enrichmentFrom, mentionText } from './enrichment.js';
import { detectLanguage } from './lang.js';
import { postMixCalibration, recalibrated, type PostMix } from './mix-calibration.js';
import type { Probabilities } from './probabilities.js';

export interface TransformersOptions extends EncoderOptions {
  /** Read-out heads trained on this encoder's embeddings. */
  headsPath: string;
  /** The fast tier's model, averaged with the heads (its n-grams see what the encoder misses). */
  linearPath: string;
  /** Weight of the encoder's heads in the average with the linear model (0..1). */
  weight: number;
  /** Apply the heads file's post-mix calibration (default true; off only to fit it). */
  mixCalibration?: boolean;
}

export function averageProbabilities(a: Probabilities, b: Probabilities, wb: number): Probabilities {
  const out: Probabilities = { ...a };
  for (const [head, probs] of Object.entries(b)) {
    const base = a[head];
    out[head] = base ? Object.fromEntries(Object.entries(probs).map(([l, p]) => [l, (1 - wb) * (base[l] ?? 0) + wb * p])) : probs;
  }
  return out;
}

/** The accurate tier's model: its encoder (as its heads file names it) mixed with the linear model. */
export const ensembleModel = (encoder: string, linear: { name: string; version: string }) => ({
  name: `earshot-ensemble(${encoder}+${linear.name})`,
  version: linear.version,
});

/**
 * The accurate tier: a transformer encoder run by transformers.js (ONNX Runtime on
 * CPU) gives each mention a sentence embedding; Earshot's heads read sentiment,
 * emotion, toxicity and complaint from it, averaged with the fast tier's linear model.
 */
export class TransformersClassifier implements MentionClassifier {
  readonly model: { name: string; version: string };

  private constructor(
    private readonly encoder: TransformersEncoder,
    private readonly heads: DenseHeads,
    private readonly linear: LinearModel,
    private readonly weight: number,
    private readonly languages: Set<string>,
    private readonly postMix: PostMix,
  ) {
    this.model = ensembleModel(heads.file.encoder.name, linear);
  }

  static async load(opts: TransformersOptions): Promise<TransformersClassifier> {
    const heads = DenseHeads.load(opts.headsPath);
    const encoder = await TransformersEncoder.load({ ...opts, normalize: heads.file.encoder.normalize, prefix: heads.file.encoder.prefix });
    if (encoder.dims !== heads.file.encoder.dims) {
      await encoder.dispose();
      throw new Error(
        `"${opts.model}" gives ${encoder.dims}-dimensional embeddings but the heads in ${opts.headsPath} were trained on ${heads.file.encoder.dims} (${heads.file.encoder.name})`,
      );
    }
    return new TransformersClassifier(
      encoder,
      heads,
      LinearModel.load(opts.linearPath),
      opts.weight,
      new Set(heads.file.encoder.languages ?? ['en', 'und']),
      opts.mixCalibration === false ? { shift: {} } : postMixCalibration(heads.file, opts.weight, opts.linearPath),
    );
  }

  /**
   * Head probabilities per text (the ensemble), for evaluation and classify(). The
   * encoder's heads count only for the languages its heads file lists (those it was
   * trained on); elsewhere the linear model, which learnt eight languages, decides.
   */
  async probabilities(texts: string[]): Promise<Probabilities[]> {
    const linear = texts.map((t) => this.linear.predict(t));
    const langs = texts.map((t, i) => detectLanguage(t, linear[i]!.lang));
    const encoded = texts.map((_, i) => i).filter((i) => this.languages.has(langs[i]!));
    const embeddings = await this.encoder.embed(encoded.map((i) => texts[i]!));
    const out = [...linear];
    encoded.forEach(
      (i, k) => (out[i] = recalibrated(averageProbabilities(linear[i]!, this.heads.predict(embeddings[k]!, langs[i]), this.weight), this.postMix)),
    );
    return out;
  }

  /** The encoder heads' probabilities alone, whatever the language (for evaluation); per-language heads by the detected language. */
  async encoderProbabilities(texts: string[]): Promise<Probabilities[]> {
    const langs = texts.map((t) => detectLanguage(t, this.linear.predict(t).lang));
    return (await this.encoder.embed(texts)).map((e, i) => this.heads.predict(e, langs[i]));
  }

  async classify(mentions: { text: string; title?: string; lang?: string }[]): Promise<Enrichment[]> {
    return enrichAll(mentions, (texts) => this.probabilities(texts), this.model);
  }

  async close(): Promise<void> {
    await this.encoder.dispose();
  }
}

/**
 * Enrichments from a batch scorer. A batch that fails as a whole is scored text by
 * text, so one bad text cannot sink the rest; a text that still fails, or is empty,
 * gets the defined empty result.
 */
export async function enrichAll(
  mentions: { text: string; title?: string; lang?: string }[],
  score: (texts: string[]) => Promise<Probabilities[]>,
  model: { name: string; version: string },
): Promise<Enrichment[]> {
  const texts = mentions.map(mentionText);
  let probs: (Probabilities | null)[];
  try {
    probs = await score(texts);
  } catch {
    probs = [];
    for (const t of texts)
      probs.push(
        await score([t]).then(
          (p) => p[0]!,
          () => null,
        ),
      );
  }
  return mentions.map((m, i) => {
    const text = texts[i]!;
    const p = probs[i];
    if (text.trim() === '' || !p) return emptyEnrichment(model, m.lang);
    return enrichmentFrom(text, p, model, m.lang);
  });
}
