// Yes/no heads are shifted in logit space, where a shift moves the decision without
// reordering the texts.
export const logit = (p: number): number => {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.log(q / (1 - q));
};

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
