/**
 * Scores of a clustering against true groups, as the clustering literature reports them:
 * NMI (arithmetic-mean normalisation, scikit-learn's default), ARI, and accuracy under the
 * best one-to-one matching of clusters to groups (Hungarian algorithm).
 */
export interface ClusterScores {
  nmi: number;
  ari: number;
  accuracy: number;
  clusters: number;
  groups: number;
}

function contingency(pred: readonly (string | number)[], truth: readonly (string | number)[]) {
  if (pred.length !== truth.length) throw new Error(`${pred.length} predictions for ${truth.length} labels`);
  const pi = new Map<string | number, number>();
  const ti = new Map<string | number, number>();
  for (const p of pred) if (!pi.has(p)) pi.set(p, pi.size);
  for (const t of truth) if (!ti.has(t)) ti.set(t, ti.size);
  const table = Array.from({ length: pi.size }, () => new Array<number>(ti.size).fill(0));
  for (let i = 0; i < pred.length; i++) table[pi.get(pred[i]!)!]![ti.get(truth[i]!)!]!++;
  return table;
}

const entropy = (counts: number[], n: number) => counts.reduce((h, c) => (c > 0 ? h - (c / n) * Math.log(c / n) : h), 0);
const choose2 = (x: number) => (x * (x - 1)) / 2;

/** Minimum-cost assignment of rows to columns of a square matrix (Kuhn-Munkres with potentials). */
export function hungarian(cost: number[][]): number[] {
  const n = cost.length;
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Infinity);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0);
  }
  const rowToCol = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if (p[j]! > 0) rowToCol[p[j]! - 1] = j - 1;
  return rowToCol;
}

export function scoreClusters(pred: readonly (string | number)[], truth: readonly (string | number)[]): ClusterScores {
  const table = contingency(pred, truth);
  const n = pred.length;
  const rows = table.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = table[0]?.map((_, j) => table.reduce((a, r) => a + r[j]!, 0)) ?? [];
  let mi = 0;
  for (let i = 0; i < table.length; i++)
    for (let j = 0; j < cols.length; j++) {
      const c = table[i]![j]!;
      if (c > 0) mi += (c / n) * Math.log((c * n) / (rows[i]! * cols[j]!));
    }
  const hp = entropy(rows, n);
  const ht = entropy(cols, n);
  const nmi = hp + ht === 0 ? 1 : (2 * mi) / (hp + ht);

  const sumCells = table.reduce((a, r) => a + r.reduce((b, c) => b + choose2(c), 0), 0);
  const sumRows = rows.reduce((a, c) => a + choose2(c), 0);
  const sumCols = cols.reduce((a, c) => a + choose2(c), 0);
  const expected = (sumRows * sumCols) / choose2(n);
  const max = (sumRows + sumCols) / 2;
  const ari = max === expected ? 1 : (sumCells - expected) / (max - expected);

  const size = Math.max(table.length, cols.length);
  const cost = Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => -(table[i]?.[j] ?? 0)));
  const match = hungarian(cost);
  const matched = match.reduce((a, j, i) => a + (table[i]?.[j] ?? 0), 0);
  return { nmi, ari, accuracy: matched / n, clusters: table.length, groups: cols.length };
}
