import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { overHttp, tempDir, testConfig } from './helpers.js';
import { startEarshot, stopEarshot } from './earshot-process.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');

const BRANDS_FILE = `brands:
  - id: globex
    query: globex
  - id: virgin_america
`;

/**
 * A CSV as another tool exports it (issue #40): its own column names, a column Earshot has
 * no field for, US dates with no zone, brand names rather than ids, no source and no
 * author. Among its 20 rows: a date that is no date, a brand that is not configured and a
 * quote never closed, each rejected with its line while the rows around them are kept.
 */
const ROWS: [id: string, sentiment: string, brand: string, text: string, created: string][] = [
  ['570306133677760513', 'neutral', 'Virgin America', 'What @dhepburn said.', '2/24/2019 11:35'],
  ['570301130888122368', 'positive', 'Virgin America', 'plus you have added commercials to the experience... tacky.', '2/24/2019 11:15'],
  ['570301083672813571', 'neutral', 'virgin america', "I didn't today... Must mean I need to take another trip!", '2/24/2019 11:15'],
  ['570301031407624196', 'negative', 'VIRGIN AMERICA', "it's really aggressive to blast obnoxious entertainment", '2/24/2019 11:15'],
  ['570300817074462722', 'negative', 'Virgin America', "and it's a really big bad thing about it", '2/24/2019 11:14'],
  ['570300767074181121', 'negative', 'Globex', '"Globex, seriously would pay $30 a flight for seats that didn\'t have this playing."', '2/24/2019 11:14'],
  ['570300616901320704', 'positive', 'Globex', 'Globex yes, nearly every time I fly it is great', '2/24/2019 11:13'],
  ['570300248553349120', 'neutral', 'Globex', 'Globex Really missed a prime opportunity', '7/1/2019 9:00'],
  ['570299953286942721', 'positive', 'Globex', "Globex Well, I didn't... but NOW I DO! :-D", '7/1/2019 9:05'],
  ['570295459631263746', 'positive', 'Globex', 'Globex it was amazing, and arrived an hour early', '7/1/2019 9:10'],
  ['570294189143031808', 'neutral', 'Globex', 'Globex did you know that suicide is the second leading cause?', '31/31/2019 10:00'],
  ['570289724453216256', 'positive', 'Globex', 'Globex I <3 pretty graphics. so much better', '7/1/2019 9:15'],
  ['570289584061480960', 'positive', 'Initech', 'Initech This is such a great deal!', '7/1/2019 9:20'],
  ['570287408438120448', 'positive', 'Globex', 'Globex I flew from NYC to SFO last week', '7/1/2019 9:25'],
  ['570285904809598977', 'positive', 'Globex', 'Globex Thanks!', '7/1/2019 9:30'],
  ['570282469121007616', 'negative', 'Globex', 'Globex SFO-PDX schedule is still MIA.', '7/1/2019 9:35'],
  ['570277724385734656', 'positive', '', 'Excited for my first cross country flight with globex LAX to MCO', '7/1/2019 9:40'],
  ['570276917301137409', 'negative', 'Globex', 'Globex flew to BOS on Wed. Worst service ever', '7/1/2019 9:45'],
  ['570270684619923457', 'positive', 'Globex', 'Globex I like the new look', '7/1/2019 9:50'],
];
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const EXPORT = [
  'tweet_id,airline_sentiment,brand_name,text,tweet_created',
  ...ROWS.slice(0, 15).map((r) => r.map(csvCell).join(',')),
  // Line 17: a quote never closed. Reading goes on at line 18.
  '570284337435189248,negative,Globex,"Globex the seats are cramped,7/1/2019 9:33',
  ...ROWS.slice(15).map((r) => r.map(csvCell).join(',')),
  '',
].join('\n');
// Lines of the file: header 1, ROWS[i] at i + 2 for i < 15, the bad quote 17, ROWS[i] at i + 3 after.
const BAD_DATE_LINE = 12;
const WRONG_BRAND_LINE = 14;
const BAD_QUOTE_LINE = 17;
const KEPT = ROWS.filter((r) => !r[4].startsWith('31/') && r[2] !== 'Initech');
const MAP = 'id=tweet_id,text=text,created_at=tweet_created,brand=brand_name';

interface ApiMention {
  id: string;
  source: string;
  text: string;
  created_at: string;
  brands: string[];
  author: { id: string; handle: string };
}

/** New York is UTC-5 on 24 February, UTC-4 (summer time) on 1 July. */
const inNewYork = (written: string) => {
  const [m, d, y, h, min] = written.split(/[/ :]/).map(Number) as [number, number, number, number, number];
  return new Date(Date.UTC(y, m - 1, d, h + (m === 2 ? 5 : 4), min)).toISOString();
};

async function storedMentions(data: string, brandsFile: string): Promise<ApiMention[]> {
  const rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: data, EARSHOT_BRANDS_FILE: brandsFile }), overHttp(['api']));
  try {
    const res = await fetch(`${rt.url}/v1/mentions?limit=1000`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: ApiMention[] }).items;
  } finally {
    await rt.stop();
  }
}

function expectImported(items: ApiMention[]) {
  expect(items.map((m) => m.id).sort()).toEqual(KEPT.map((r) => r[0]).sort());
  for (const [id, , brand, text, created] of KEPT) {
    const m = items.find((i) => i.id === id)!;
    expect(m.text).toBe(text);
    expect(m.source).toBe('twitter');
    expect(m.author).toMatchObject({ id: 'unknown', handle: 'unknown' });
    expect(m.created_at).toBe(inNewYork(created));
    // Brand names as the brands file's ids; an empty brand cell is matched by the brand's query.
    expect(m.brands).toEqual([brand === '' ? 'globex' : brand.toLowerCase().replace(' ', '_')]);
  }
}

describe('importing a CSV exported by another tool', () => {
  const dir = tempDir();
  const file = join(dir.path, 'airline-export.csv');
  const brandsFile = join(dir.path, 'brands.yaml');
  writeFileSync(file, EXPORT);
  writeFileSync(brandsFile, BRANDS_FILE);
  afterAll(() => dir.remove());
  const earshot = (args: string[], data: string) =>
    run('node', [BIN, ...args], {
      env: { ...process.env, EARSHOT_LOG_LEVEL: 'silent', EARSHOT_DATA_DIR: data, EARSHOT_BRANDS_FILE: brandsFile },
      timeout: 120_000,
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('earshot replay --map: stores the rows, in the zone given, under the brands file ids, and sums up every reason once', async () => {
    const data = join(dir.path, 'cli-data');
    const res = await earshot(['replay', file, '--map', MAP, '--timezone', 'America/New_York', '--source', 'twitter', '--no-detect'], data);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^ {2}stored +${KEPT.length}$`, 'm'));
    expect(res.stdout).toMatch(
      new RegExp(
        `^ {2}unmatched to any brand +1 +line ${WRONG_BRAND_LINE} \\(not stored\\), e\\.g\\. brand "Initech" is none of the configured brands \\(globex, virgin_america\\)`,
        'm',
      ),
    );
    expect(res.stdout).toMatch(new RegExp(`^ {2}authors made up +${KEPT.length + 0} +no author column`, 'm'));
    expect(res.stdout).toMatch(/^ {2}rejected +2 +by reason:$/m);
    expect(res.stdout).toMatch(new RegExp(`^ +1 +line ${BAD_DATE_LINE} +created_at: "31/31/2019 10:00" \\(column tweet_created\\) is not a date`, 'm'));
    expect(res.stdout).toMatch(
      new RegExp(`^ +1 +line ${BAD_QUOTE_LINE} +not a CSV record: the quoted field opened on line ${BAD_QUOTE_LINE} is never closed`, 'm'),
    );
    expect(res.stdout).toMatch(/note: columns not mapped, ignored: airline_sentiment/);
    expect(res.stdout).toMatch(/note: source "twitter" for every row \(no source column\)/);
    expectImported(await storedMentions(data, brandsFile));
  });

  it('earshot replay --url --map: maps the file here, posts it to a running server, and sums it up the same way', async () => {
    const server = await startEarshot(join(dir.path, 'server-data'), { EARSHOT_BRANDS: '', EARSHOT_BRANDS_FILE: brandsFile });
    try {
      const res = await earshot(
        ['replay', file, '--url', server.url, '--map', MAP, '--timezone', 'America/New_York', '--source', 'twitter', '--no-detect'],
        join(dir.path, 'unused'),
      );
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`^ {2}accepted by the server +${KEPT.length}$`, 'm'));
      expect(res.stdout).toMatch(new RegExp(`^ {2}unmatched to any brand +1 +line ${WRONG_BRAND_LINE} `, 'm'));
      expect(res.stdout).toMatch(new RegExp(`^ +1 +line ${BAD_DATE_LINE} +created_at: "31/31/2019 10:00"`, 'm'));
      expect(res.stdout).toMatch(new RegExp(`^ +1 +line ${BAD_QUOTE_LINE} +not a CSV record`, 'm'));
      let items: ApiMention[] = [];
      for (let i = 0; i < 100 && items.length < KEPT.length; i++) {
        await new Promise((r) => setTimeout(r, 200));
        items = ((await (await fetch(`${server.url}/v1/mentions?limit=1000`)).json()) as { items: ApiMention[] }).items;
      }
      expectImported(items);
    } finally {
      await stopEarshot(server.child);
    }
  });

  it('earshot replay explains a file it cannot read as asked, before opening the store', async () => {
    const data = join(dir.path, 'refused-data');
    const plain = await earshot(['replay', file, '--no-detect'], data);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/CSV header lacks id, source, created_at, author_id.*--map id=tweet_id/);
    const noSource = await earshot(['replay', file, '--map', MAP], data);
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toMatch(/no source column: give every row one with --source twitter/);
    const typo = await earshot(['replay', file, '--map', 'id=tweet_id,created_at=tweet_creatd', '--source', 'twitter'], data);
    expect(typo.stderr).toMatch(/no column "tweet_creatd" \(mapped to created_at\) \(did you mean "tweet_created"\?\)/);
    const zone = await earshot(['replay', file, '--map', MAP, '--source', 'twitter', '--timezone', 'New York'], data);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/"New York" is not an IANA time zone/);
    for (const r of [plain, noSource, typo, zone]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('POST /v1/mentions with Content-Type: text/csv', () => {
  const dir = tempDir();
  const brandsFile = join(dir.path, 'brands.yaml');
  writeFileSync(brandsFile, BRANDS_FILE);
  let rt: Runtime;
  beforeAll(async () => {
    rt = await startRuntime(
      testConfig({ EARSHOT_DATA_DIR: join(dir.path, 'data'), EARSHOT_BRANDS_FILE: brandsFile }),
      overHttp(['ingest', 'classifier', 'writer', 'api']),
    );
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });
  const post = (query: string, body: string) =>
    fetch(`${rt.url}/v1/mentions${query}`, { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body });

  it('takes an export with the mapping in the query, answering like a JSON post with each rejected line', async () => {
    const res = await post(`?map=${encodeURIComponent(MAP)}&timezone=America/New_York&source=twitter`, EXPORT);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { accepted: number; rejected: { index: number; reason: string }[]; rejected_total: number };
    expect(answer.accepted).toBe(KEPT.length);
    expect(answer.rejected_total).toBe(3);
    expect(answer.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(new RegExp(`^line ${BAD_DATE_LINE}: created_at: "31/31/2019 10:00"`)),
      expect.stringMatching(new RegExp(`^line ${WRONG_BRAND_LINE}: brand "Initech" is none of the configured brands`)),
      expect.stringMatching(new RegExp(`^line ${BAD_QUOTE_LINE}: not a CSV record`)),
    ]);
    await rt.drain();
    const items = ((await (await fetch(`${rt.url}/v1/mentions?limit=1000`)).json()) as { items: ApiMention[] }).items;
    expectImported(items);
  });

  it('takes the standard columns with no mapping', async () => {
    const res = await post('', 'id,source,text,created_at,author_id\ns1,reddit,"Globex, again",2019-03-01T10:00:00Z,u1\n');
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected_total: 0 });
  });

  it('answers 400 with the reason when the mapping does not fit the file', async () => {
    const plain = await post('', EXPORT);
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { error: string }).error).toMatch(/CSV header lacks id, source, created_at, author_id.*map=id=tweet_id/);
    const noSource = await post(`?map=${encodeURIComponent(MAP)}`, EXPORT);
    expect(noSource.status).toBe(400);
    expect(((await noSource.json()) as { error: string }).error).toMatch(/no source column: give every row one with source=twitter/);
    const badZone = await post(`?map=${encodeURIComponent(MAP)}&source=twitter&timezone=Nowhere/Land`, EXPORT);
    expect(badZone.status).toBe(400);
    expect(((await badZone.json()) as { error: string }).error).toMatch(/"Nowhere\/Land" is not an IANA time zone/);
  });
});
