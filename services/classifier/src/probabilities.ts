/** A classifier's class probabilities per head: head -> label -> probability. */
export type Probabilities = Record<string, Record<string, number>>;
