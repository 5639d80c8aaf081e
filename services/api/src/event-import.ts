import { CampaignEventSchema, describeZodError, parseCsv, type CampaignEvent } from '@earshot/shared';

export interface ImportResult {
  events: CampaignEvent[];
  rejected: { record: number; reason: string }[];
}

const list = (s: string | undefined) =>
  s
    ? s
        .split(/[;|]/)
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

function validate(candidates: Record<string, unknown>[], makeId: (c: Record<string, unknown>, i: number) => string): ImportResult {
  const events: CampaignEvent[] = [];
  const rejected: ImportResult['rejected'] = [];
  candidates.forEach((c, i) => {
    const cleaned = Object.fromEntries(Object.entries({ ...c, id: c.id || makeId(c, i) }).filter(([, v]) => v !== undefined && v !== ''));
    const parsed = CampaignEventSchema.safeParse(cleaned);
    if (parsed.success) events.push(parsed.data);
    else rejected.push({ record: i + 1, reason: describeZodError(parsed.error) });
  });
  return { events, rejected };
}

/** A stable id for an event given without one, so importing the same file twice does not duplicate it. */
const derivedId = (c: Record<string, unknown>) =>
  `${String(c.brand)}-${String(c.starts_at)}-${String(c.title)}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 200);

/** CSV with a header naming: brand, kind, title, starts_at, and optionally ends_at, id, description, channels, tags, url (lists split on ; or |). */
export function parseEventsCsv(text: string, defaults: { brand?: string; kind?: string } = {}): ImportResult {
  const [header, ...rows] = parseCsv(text);
  if (!header) return { events: [], rejected: [] };
  const cols = header.map((h) => h.trim().toLowerCase());
  for (const required of ['title', 'starts_at'])
    if (!cols.includes(required)) throw new Error(`the CSV header must name ${required} (it has: ${cols.join(', ')})`);
  const get = (r: string[], name: string) => (cols.includes(name) ? r[cols.indexOf(name)]?.trim() : undefined);
  return validate(
    rows.map((r) => ({
      id: get(r, 'id'),
      brand: get(r, 'brand') || defaults.brand,
      kind: get(r, 'kind') || defaults.kind || 'other',
      title: get(r, 'title'),
      description: get(r, 'description'),
      starts_at: get(r, 'starts_at'),
      ends_at: get(r, 'ends_at'),
      channels: list(get(r, 'channels')),
      tags: list(get(r, 'tags')),
      url: get(r, 'url'),
    })),
    derivedId,
  );
}

/** 20261121T100000Z, 20261121T100000 (taken as UTC) or 20261121 (a whole day). */
function icsTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value.trim());
  if (!m) return value;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}Z`;
}

const unescapeIcs = (s: string) => s.replace(/\\n/gi, '\n').replace(/\\([,;\\])/g, '$1');

/**
 * iCalendar (RFC 5545) VEVENTs: SUMMARY → title, DTSTART/DTEND, DESCRIPTION, URL,
 * UID → id, CATEGORIES → tags; brand and kind from X-EARSHOT-BRAND / X-EARSHOT-KIND
 * or the defaults given. Times with a TZID are read as UTC.
 */
export function parseEventsIcs(text: string, defaults: { brand?: string; kind?: string } = {}): ImportResult {
  const lines = text
    .replace(/\r\n[ \t]/g, '')
    .replace(/\n[ \t]/g, '')
    .split(/\r?\n/);
  const events: Record<string, unknown>[] = [];
  let cur: Record<string, string> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') cur = {};
    else if (line === 'END:VEVENT' && cur) {
      events.push({
        id: cur.UID,
        brand: cur['X-EARSHOT-BRAND'] ?? defaults.brand,
        kind: (cur['X-EARSHOT-KIND'] ?? defaults.kind ?? 'other').toLowerCase(),
        title: cur.SUMMARY && unescapeIcs(cur.SUMMARY),
        description: cur.DESCRIPTION && unescapeIcs(cur.DESCRIPTION),
        starts_at: icsTime(cur.DTSTART),
        ends_at: icsTime(cur.DTEND),
        tags: list(cur.CATEGORIES?.replaceAll(',', ';')),
        url: cur.URL,
      });
      cur = null;
    } else if (cur) {
      const colon = line.indexOf(':');
      if (colon > 0) cur[line.slice(0, colon).split(';')[0]!.toUpperCase()] = line.slice(colon + 1);
    }
  }
  return validate(events, derivedId);
}
