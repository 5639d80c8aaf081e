/** The benchmarks' own metrics, computed from gold and predicted label indices. */
export function perClass(gold: number[], pred: number[], k: number) {
  return Array.from({ length: k }, (_, c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      if (pred[i] === c && g === c) tp++;
      else if (pred[i] === c) fp++;
      else if (g === c) fn++;
    });
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  });
}

export const macroRecall = (gold: number[], pred: number[], k: number) => perClass(gold, pred, k).reduce((s, c) => s + c.recall, 0) / k;
export const macroF1 = (gold: number[], pred: number[], k: number) => perClass(gold, pred, k).reduce((s, c) => s + c.f1, 0) / k;
/** F1 of the positive class (label 1). */
export const positiveF1 = (gold: number[], pred: number[]) => perClass(gold, pred, 2)[1]!.f1;
