const nf = new Intl.NumberFormat('en');

export const num = (n: number | null | undefined) => (n === null || n === undefined ? '–' : nf.format(n));
/** An expected count as people say it: "about 51", "0.3" (two significant digits at most below 10). */
export const about = (n: number | null | undefined) =>
  n === null || n === undefined ? '–' : n >= 10 ? nf.format(Math.round(n)) : nf.format(Number(n.toPrecision(n >= 1 ? 2 : 1)));
export const pct = (x: number | null | undefined, digits = 0) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)}%`);
export const signed = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '–' : `${x > 0 ? '+' : ''}${x.toFixed(digits)}`);
/**
 * Which classifier tier labelled a mention, from the stored model name: the fast tier is
 * Earshot's linear model ("earshot-linear-…"); any other model is an encoder (accurate).
 */
export const tierOf = (modelName: string): 'fast' | 'accurate' => (modelName.startsWith('earshot-linear') ? 'fast' : 'accurate');
/** A change of a rate in percentage points: 0.234 → "+23.4 pp". */
export const points = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '–' : `${signed(x * 100, digits)} pp`);

/**
 * A span in one style at every size, its two largest units: "45 s", "12 min", "5 h 20 min",
 * "1 d 9 h" (never "33.1 h" beside "2.9 d").
 */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) => (small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`);
  if (min < 1440) return pair(Math.floor(min / 60), 'h', min % 60, 'min');
  const hours = Math.round(min / 60);
  return pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** A bucket size as words for an axis: "15m" → "per 15 minutes", "1h" → "per hour", "12h" → "per 12 hours". */
export function per(interval: string): string {
  const m = /^(\d+)([mhd])$/.exec(interval);
  if (!m) return `per ${interval}`;
  const unit = { m: 'minute', h: 'hour', d: 'day' }[m[2] as 'm' | 'h' | 'd'];
  return m[1] === '1' ? `per ${unit}` : `per ${m[1]} ${unit}s`;
}

/** "14:05, 24 Nov" in the viewer's time zone. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' });
}

/** "24 Nov 2026" (with `time`, "24 Nov 2026, 14:05") in the viewer's time zone. */
export function day(iso: string, time = false): string {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', ...(time ? { hour: '2-digit', minute: '2-digit' } : {}) });
}

/** How long ago, for the last week; older posts (imported history) get their date. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86_400) return `${Math.round(s / 86_400)} d ago`;
  return day(iso);
}
