import type { RejectionGroup, RejectionTally } from '@earshot/ingest';
import { fmt } from './progress.js';

export interface ImportOutcome {
  file: string;
  /** "stored" once the pipeline has written them; "published" or "accepted" where this process cannot know. */
  keptAs: string;
  kept: number;
  duplicates: number;
  tally: RejectionTally;
  madeUpAuthors: number;
  notes: string[];
  /** "line" for a CSV, "record" for JSONL (and mentions posted over HTTP). */
  unit: 'line' | 'record';
  /** Rejections counted by a server but not listed in its answer. */
  unlisted?: number;
}

const places = (g: RejectionGroup, unit: string) => `${unit}${g.lines.length > 1 ? 's' : ''} ${g.lines.join(', ')}${g.count > g.lines.length ? ', …' : ''}`;

/**
 * The table `earshot replay` ends with: what was kept, every reason records were
 * rejected for (once, with its count and first lines), what matched no brand and what was
 * made up. Human output, on stdout.
 */
export function importSummary(o: ImportOutcome): string {
  const rejected = o.tally.rejected();
  const rejectedCount = rejected.reduce((s, g) => s + g.count, 0) + (o.unlisted ?? 0);
  const row = (label: string, n: number, more = '') => `  ${label.padEnd(24)}${fmt(n).padStart(8)}${more ? `   ${more}` : ''}`;
  const lines = [`Summary of ${o.file}:`, row(o.keptAs, o.kept)];
  if (o.duplicates) lines.push(row('repeated in the file', o.duplicates, 'same source and id: kept once'));
  const unmatched = o.tally.unmatched;
  lines.push(row('unmatched to any brand', unmatched.count, unmatched.count ? `${places(unmatched, o.unit)} (not stored), e.g. ${unmatched.reason}` : ''));
  if (o.madeUpAuthors) lines.push(row('authors made up', o.madeUpAuthors, 'no author column: author_id "unknown"'));
  lines.push(row('rejected', rejectedCount, rejectedCount ? 'by reason:' : ''));
  for (const g of rejected)
    lines.push(`  ${fmt(g.count).padStart(8)}  ${places(g, o.unit).padEnd(22)}  ${g.reason.length > 200 ? `${g.reason.slice(0, 199)}…` : g.reason}`);
  if (o.unlisted) lines.push(`  ${fmt(o.unlisted).padStart(8)}  more not listed in the server's answers (the dead-letter topic has them all)`);
  for (const n of o.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}
