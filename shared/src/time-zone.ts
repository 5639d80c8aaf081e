// Wall clocks in IANA time zones, with Intl only: a CSV's local times, a review's, a digest's day.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone (building one costs far more than using it); a RangeError for an unknown zone. */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** How far `timeZone`'s clocks are ahead of UTC at the instant `t`, in ms (to the second). */
export function zoneOffsetMs(t: number, timeZone: string): number {
  const p = Object.fromEntries(
    zoneFormatter(timeZone)
      .formatToParts(new Date(t))
      .map((x) => [x.type, Number(x.value)]),
  );
  return Date.UTC(p.year!, p.month! - 1, p.day, p.hour! % 24, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/** The instant a wall-clock time (given as if it were UTC) names in `timeZone`; the offset is re-checked once across a DST change. */
export function wallToUtc(wall: number, timeZone: string): number {
  return wall - zoneOffsetMs(wall - zoneOffsetMs(wall, timeZone), timeZone);
}
