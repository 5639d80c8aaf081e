import type { DigestPeriod } from '@earshot/api';
import { zoneOffsetMs } from '@earshot/shared';

const DAY = 86_400_000;

/** The instant local midnight begins the day that contains `t`, in `timeZone`. */
export function startOfLocalDay(t: number, timeZone: string): number {
  const local = t + zoneOffsetMs(t, timeZone);
  const midnight = local - (((local % DAY) + DAY) % DAY);
  // The offset at midnight itself (it differs from t's across a daylight-saving change).
  return midnight - zoneOffsetMs(midnight - zoneOffsetMs(t, timeZone), timeZone);
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
  const weekday = (new Date(today + zoneOffsetMs(today, timeZone)).getUTCDay() + 6) % 7;
  const end = startOfLocalDay(today - weekday * DAY + DAY / 2, timeZone);
  return { start: startOfLocalDay(end - 7 * DAY + DAY / 2, timeZone), end };
}
