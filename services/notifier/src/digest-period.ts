import type { DigestPeriod } from '@earshot/api';

const DAY = 86_400_000;

/** How far `timeZone` is ahead of UTC at `t`, in ms. */
function offsetAt(t: number, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(t))
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/** The instant local midnight begins the day that contains `t`, in `timeZone`. */
export function startOfLocalDay(t: number, timeZone: string): number {
  const local = t + offsetAt(t, timeZone);
  const midnight = local - (((local % DAY) + DAY) % DAY);
  // The offset at midnight itself (it differs from t's across a daylight-saving change).
  return midnight - offsetAt(midnight - offsetAt(t, timeZone), timeZone);
}

/**
 * The last whole period before `now` in `timeZone`: yesterday, midnight to midnight, or
 * last week, Monday to Monday. A digest sent any time today (or this week) covers the
 * same period, which is what makes it once-only.
 */
export function lastWholePeriod(period: DigestPeriod, now: number, timeZone: string): { start: number; end: number } {
  const today = startOfLocalDay(now, timeZone);
  if (period === 'day') return { start: startOfLocalDay(today - DAY / 2, timeZone), end: today };
  // Monday is 0: getUTCDay of the local date, shifted.
  const weekday = (new Date(today + offsetAt(today, timeZone)).getUTCDay() + 6) % 7;
  const end = startOfLocalDay(today - weekday * DAY + DAY / 2, timeZone);
  return { start: startOfLocalDay(end - 7 * DAY + DAY / 2, timeZone), end };
}
