import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { EnrichmentSchema, openStore } from '@earshot/shared';
import { tempDir, testConfig } from './helpers.js';
import { startFakeApi } from './connectors/fake-api.js';
import { POLL_CASES } from './connectors/poll-sources.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');
const earshot = (args: string[], env: Record<string, string> = {}) =>
  run('node', [BIN, ...args], { env: { ...process.env, EARSHOT_LOG_LEVEL: 'silent', ...env }, timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** The CLI as a user runs it: a separate process, real files. */
describe('earshot CLI', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('classify: one JSON object per input line, in order, texts or JSONL', async () => {
    const input = join(dir.path, 'in.txt');
    const output = join(dir.path, 'out.jsonl');
    writeFileSync(
      input,
      Buffer.concat([
        Buffer.from('I love this phone, thank you!\n'),
        Buffer.from('{"id": "r1", "text": "Terrible service, my order never arrived"}\n'),
        Buffer.from('\n'),
        Buffer.from([0x62, 0x61, 0x64, 0xff, 0x0a]),
      ]),
    );
    const res = await earshot(['classify', '--input', input, '--output', output, '--tier', 'fast']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/Classified 4 lines with earshot-linear-fast/);
    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    for (const l of lines) {
      const { id: _id, ...enrichment } = l;
      expect(EnrichmentSchema.safeParse(enrichment).success).toBe(true);
    }
    expect(lines[0].sentiment.label).toBe('positive');
    expect(lines[1]).toMatchObject({ id: 'r1', sentiment: { label: 'negative' } });
    expect(lines[2].sentiment.label).toBe('neutral');
  });

  it('stops on a bad variable, naming it', async () => {
    const res = await earshot(['migrate'], { EARSHOT_PORT: 'eighty', EARSHOT_DATA_DIR: dir.path });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/EARSHOT_PORT/);
  });

  // Issue #18.7: a second detector process on the same embedded store exited with a stack trace.
  it('a second process on the same embedded store says replicas need a ClickHouse server', async () => {
    const data = join(dir.path, 'held');
    const held = await openStore(testConfig({ EARSHOT_DATA_DIR: data }));
    try {
      const res = await earshot(['migrate'], { EARSHOT_DATA_DIR: data });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/cannot open the embedded store .*another Earshot process is using it.*EARSHOT_CLICKHOUSE_URL/);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await held.close();
    }
  });

  it('explains usage mistakes', async () => {
    const res = await earshot(['run', 'clasifier']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/unknown service clasifier; services are ingest, classifier, writer, detector, notifier, api/);
    expect((await earshot(['--help'])).stdout).toMatch(/earshot classify --input FILE/);
  });

  it('detect: adds a causal anomaly score to every row', async () => {
    const input = join(dir.path, 'series.csv');
    const output = join(dir.path, 'scores.csv');
    const rows = Array.from(
      { length: 400 },
      (_, i) => `2026-01-01 ${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${i === 350 ? 500 : 100 + (i % 7)}`,
    );
    writeFileSync(input, `timestamp,value\n${rows.join('\n')}\n`);
    const res = await earshot(['detect', '--input', input, '--output', output]);
    expect(res.code).toBe(0);
    const out = readFileSync(output, 'utf8').trim().split('\n');
    expect(out[0]).toBe('timestamp,value,anomaly_score');
    expect(out).toHaveLength(401);
    const scores = out.slice(1).map((l) => Number(l.split(',')[2]));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(scores.indexOf(Math.max(...scores))).toBe(350);
    writeFileSync(input, 'time,count\n1,2\n');
    const bad = await earshot(['detect', '--input', input, '--output', output]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/must name the columns timestamp,value/);
  });

  it('events import: CSV and iCalendar onto the events table, bad records skipped with a reason', async () => {
    const data = join(dir.path, 'events-data');
    const csv = join(dir.path, 'events.csv');
    writeFileSync(
      csv,
      'brand,kind,title,starts_at,ends_at,tags\nacme,campaign,"Spring sale, 20% off",2026-03-01T09:00:00Z,2026-03-08T00:00:00Z,sale;spring\nacme,party,Bad kind,2026-03-02T09:00:00Z,,\n',
    );
    const ics = join(dir.path, 'events.ics');
    writeFileSync(
      ics,
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'BEGIN:VEVENT',
        'UID:press-1',
        'SUMMARY:Press release\\, Q1',
        'DTSTART:20260310T140000Z',
        'CATEGORIES:pr,q1',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
    const a = await earshot(['events', 'import', csv], { EARSHOT_DATA_DIR: data });
    expect(a.stderr).toMatch(/record 2 skipped: kind: /);
    expect(a.stderr).toMatch(/Imported 1 events from .*events.csv \(CSV\), 1 skipped/);
    const b = await earshot(['events', 'import', ics, '--brand', 'acme', '--kind', 'pr'], { EARSHOT_DATA_DIR: data });
    expect(b.stderr).toMatch(/Imported 1 events .*\(iCalendar\)/);
    const store = await openStore(testConfig({ EARSHOT_DATA_DIR: data }));
    const rows = await (
      await store.client.query({ query: 'SELECT id, kind, title, tags FROM campaign_events FINAL ORDER BY starts_at', format: 'JSONEachRow' })
    ).json();
    await store.close();
    expect(rows).toEqual([
      { id: expect.stringContaining('spring-sale'), kind: 'campaign', title: 'Spring sale, 20% off', tags: ['sale', 'spring'] },
      { id: 'press-1', kind: 'pr', title: 'Press release, Q1', tags: ['pr', 'q1'] },
    ]);
    const impact = await earshot(['events', 'impact', 'press-1', '--before', '12h'], { EARSHOT_DATA_DIR: data });
    expect(impact.code).toBe(0);
    expect(JSON.parse(impact.stdout)).toMatchObject({ event: { id: 'press-1' }, windows: { before: { mentions: 0 }, after: { mentions: 0 } } });
    expect(impact.stderr).toMatch(/^Mentions of acme .* after "Press release, Q1"/m);
    expect((await earshot(['events', 'impact', 'nope'], { EARSHOT_DATA_DIR: data })).stderr).toMatch(/no event nope/);
  });

  it('migrate: applies once, then reports nothing to do', async () => {
    const env = { EARSHOT_DATA_DIR: join(dir.path, 'data') };
    expect((await earshot(['migrate'], env)).stdout).toMatch(/Applied 001_init/);
    expect((await earshot(['migrate'], env)).stdout).toMatch(/Nothing to apply/);
  });

  it('sources: checks the brands file, lists connectors, dry-runs one poll', async () => {
    const hn = POLL_CASES.find((c) => c.type === 'hackernews')!;
    const now = Date.now();
    const held = [0, 1, 2].map((n) => ({ n, t: now - (n + 1) * 60_000, raw: hn.item(n, now - (n + 1) * 60_000) }));
    const api = await startFakeApi((req) => hn.route(req, held, Date.now()));
    try {
      const file = join(dir.path, 'brands.yaml');
      writeFileSync(
        file,
        `brands:\n  - id: acme\n    query: acme\n    sources:\n      - { type: hackernews, query: acme, base_url: "${api.url}" }\n      - { type: x_search, query: acme }\n`,
      );
      const env = { EARSHOT_BRANDS_FILE: file, EARSHOT_X_BEARER_TOKEN: 'x' };
      const list = await earshot(['sources'], env);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^acme\.hackernews\s+acme\s+hackernews\s+hackernews\s+\*\/5 \* \* \* \*/m);
      expect(list.stdout).toMatch(/^acme\.x_search .*EARSHOT_X_BEARER_TOKEN$/m);
      const poll = await earshot(['sources', 'poll', 'acme.hackernews'], env);
      expect(poll.code).toBe(0);
      const lines = poll.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((m) => [m.id, m.brands])).toEqual(held.map((h) => [hn.id(h.n, h.t), ['acme']]));
      expect(poll.stderr).toMatch(/acme\.hackernews: 3 mentions \(0 match no brand/);
      const missing = await earshot(['sources'], { EARSHOT_BRANDS_FILE: file });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/brands\.yaml:6:9: brands\[0\]\.sources\[1\]: x_search needs EARSHOT_X_BEARER_TOKEN set in the environment/);
      expect((await earshot(['sources', 'poll', 'nope'], env)).stderr).toMatch(/no connector "nope".*acme\.hackernews, acme\.x_search/);
      const types = await earshot(['sources', 'types'], {});
      expect(types.code).toBe(0);
      expect(types.stdout).toMatch(/^hackernews +Hacker News stories/m);
      expect(types.stdout).toMatch(/^reddit +\S/m);
    } finally {
      await api.close();
    }
  });

  it('run: a wrong brands file is reported whole, without a stack trace, before the store is touched', async () => {
    const data = join(dir.path, 'untouched');
    const gone = await earshot(['run'], { EARSHOT_DATA_DIR: data, EARSHOT_BRANDS_FILE: join(dir.path, 'no-such-brands.yaml') });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/^earshot: cannot read the brands file .*no-such-brands\.yaml \(EARSHOT_BRANDS_FILE\): there is no such file/);
    expect(gone.stderr).not.toMatch(/\n\s+at /);
    const file = join(dir.path, 'mistakes.yaml');
    writeFileSync(
      file,
      'brands:\n  - id: acme\n    qurey: acme\n    sources:\n      - { type: hackernoose, query: acme }\n      - { type: rss, url: "https://example.com/feed", schedul: "*/5 * * * *" }\n',
    );
    const wrong = await earshot(['run'], { EARSHOT_DATA_DIR: data, EARSHOT_BRANDS_FILE: file });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/3 problems in .*mistakes\.yaml:/);
    expect(wrong.stderr).toMatch(/brands\[0\]\.qurey: unknown key \(did you mean "query"\?\)/);
    expect(wrong.stderr).toMatch(/brands\[0\]\.sources\[0\]\.type: unknown source type "hackernoose" \(did you mean "hackernews"\?\)/);
    expect(wrong.stderr).toMatch(/brands\[0\]\.sources\[1\]\.schedul: rss has no option "schedul" \(did you mean "schedule"\?\)/);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(data)).toBe(false);
  });
});
