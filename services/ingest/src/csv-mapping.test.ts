import { describe, expect, it } from 'vitest';
import { brandResolver, checkTimeZone, csvImport, CsvMappingError, parseColumnMap, parseTimestamp } from './csv-mapping.js';

const utc = (s: string) => Date.parse(s);

describe('parseTimestamp', () => {
  it.each([
    // [written, zone it is read in, the instant]
    ['2019-02-24T11:35:00Z', 'America/New_York', '2019-02-24T11:35:00Z'],
    ['2019-02-24T11:35:00.250+01:00', 'UTC', '2019-02-24T10:35:00.250Z'],
    ['2019-02-24 11:35', 'UTC', '2019-02-24T11:35:00Z'],
    ['2015-02-24 11:35:52 -0800', 'Europe/London', '2015-02-24T19:35:52Z'],
    ['2/24/2019 11:35', 'Europe/London', '2019-02-24T11:35:00Z'],
    // London keeps summer time (BST, UTC+1) in July
    ['7/1/2019 9:00', 'Europe/London', '2019-07-01T08:00:00Z'],
    ['7/1/2019 9:00:30 PM', 'UTC', '2019-07-01T21:00:30Z'],
    ['12/31/2019 12:00 AM', 'UTC', '2019-12-31T00:00:00Z'],
    // New York: UTC-5 in winter, UTC-4 in summer
    ['2/24/2019 11:35', 'America/New_York', '2019-02-24T16:35:00Z'],
    ['2019-07-01 09:00:00', 'America/New_York', '2019-07-01T13:00:00Z'],
    ['24.2.2019 11:35', 'Europe/Berlin', '2019-02-24T10:35:00Z'],
    ['24.02.2019', 'UTC', '2019-02-24T00:00:00Z'],
    ['1551008100', 'Asia/Tokyo', '2019-02-24T11:35:00Z'],
    ['1551008100123', 'UTC', '2019-02-24T11:35:00.123Z'],
    ['Wed Oct 10 20:19:24 +0000 2018', 'America/New_York', '2018-10-10T20:19:24Z'],
    ['Wed, 10 Oct 2018 20:19:24 +0200', 'UTC', '2018-10-10T18:19:24Z'],
    ['10 Oct 2018 20:19 GMT', 'Asia/Tokyo', '2018-10-10T20:19:00Z'],
  ])('%s read in %s is %s', (written, zone, instant) => {
    expect(parseTimestamp(written, zone)).toBe(utc(instant));
  });

  it.each(['2/30/2019 11:35', '13/1/2019 10:00', '2/24/2019 25:00', '24.13.2019', 'yesterday', '', '2019-02-24 11:35 +25', 'Wed Foo 10 20:19:24 +0000 2018'])(
    'refuses %j',
    (written) => {
      expect(parseTimestamp(written, 'UTC')).toBeNull();
    },
  );
});

describe('parseColumnMap and checkTimeZone', () => {
  it('reads FIELD=COLUMN pairs, brand standing for brands', () => {
    expect(parseColumnMap('id=tweet_id, created_at=tweet_created,brand=Brand Name')).toEqual({
      id: 'tweet_id',
      created_at: 'tweet_created',
      brands: 'Brand Name',
    });
  });
  it('names a field that does not exist, with a suggestion', () => {
    expect(() => parseColumnMap('id=tweet_id,craeted_at=x')).toThrow(/"craeted_at" is not a field .*did you mean "created_at"/);
    expect(() => parseColumnMap('id')).toThrow(CsvMappingError);
  });
  it('takes IANA zones and refuses others', () => {
    expect(checkTimeZone('Europe/London')).toBe('Europe/London');
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/not an IANA time zone/);
  });
});

describe('brandResolver', () => {
  it('matches names to configured ids ignoring case, spaces and punctuation', () => {
    const resolve = brandResolver(['globex', 'virgin_america']);
    expect(resolve('Globex')).toEqual({ brand: 'globex' });
    expect(resolve('Virgin America')).toEqual({ brand: 'virgin_america' });
    expect(resolve('Globx')).toEqual({
      error: expect.stringMatching(/brand "Globx" is none of the configured brands \(globex, virgin_america\) \(did you mean "globex"\?\)/),
    });
  });
  it('with no brands configured, takes a name that is an id once lower-cased', () => {
    const resolve = brandResolver([]);
    expect(resolve('US Airways')).toEqual({ brand: 'us_airways' });
    expect(resolve('Café!')).toEqual({ error: expect.stringMatching(/cannot be a brand id/) });
  });
});

describe('csvImport', () => {
  const EXPORT = [
    'tweet_id,airline_sentiment,brand_name,text,tweet_created',
    '1,negative,Globex,"Globex lost my bag,\nagain",2/24/2019 11:35',
    '2,positive,ACME,Acme crew was great,7/1/2019 9:00',
    '3,neutral,Initech,Who flies Initech?,7/1/2019 9:10',
    '4,negative,Globex,Globex delay,31/31/2019 10:00',
    '5,negative,,no brand cell,7/1/2019 9:20',
  ].join('\n');
  const options = {
    map: { id: 'tweet_id', created_at: 'tweet_created', brands: 'brand_name' },
    timezone: 'Europe/London',
    source: 'twitter',
    brands: ['acme', 'globex'],
  };

  it('reads an export with a mapping: dates in the zone, brands as ids, source and author made up', () => {
    const read = csvImport(EXPORT, options);
    expect(read.items.map((i) => i.line)).toEqual([2, 4, 5, 6, 7]);
    expect(read.items[0]).toMatchObject({
      value: {
        id: '1',
        source: 'twitter',
        text: 'Globex lost my bag,\nagain',
        created_at: '2019-02-24T11:35:00.000Z',
        author: { id: 'unknown', handle: 'unknown' },
        brands: ['globex'],
      },
    });
    expect(read.items[1]).toMatchObject({ value: { created_at: '2019-07-01T08:00:00.000Z', brands: ['acme'] } });
    expect(read.items[2]).toMatchObject({ category: 'unmatched', error: expect.stringMatching(/brand "Initech" is none of the configured brands/) });
    expect(read.items[3]).toMatchObject({
      category: 'schema',
      error: expect.stringMatching(/created_at: "31\/31\/2019 10:00" \(column tweet_created\) is not a date/),
    });
    // An empty brand cell leaves the brand to the keywords, as for any mention.
    expect((read.items[4] as { value: { brands?: string[] } }).value.brands).toBeUndefined();
    expect(read.madeUpAuthors).toBe(3);
    expect(read.notes).toEqual(['columns not mapped, ignored: airline_sentiment', 'source "twitter" for every row (no source column)']);
  });

  it('uses columns already named like a field, and an author column when there is one', () => {
    const read = csvImport('id,text,created_at,source,user\na1,hello acme,2019-02-24 10:00,reddit,bob\n', { map: { author_handle: 'user' } });
    expect(read.items[0]).toMatchObject({ value: { id: 'a1', source: 'reddit', author: { id: 'bob', handle: 'bob' } } });
    expect(read.madeUpAuthors).toBe(0);
  });

  it('says what the file lacks before reading any row', () => {
    expect(() => csvImport(EXPORT, { ...options, source: undefined })).toThrow(/no source column: give every row one with --source/);
    expect(() => csvImport(EXPORT, { ...options, map: { ...options.map, created_at: 'tweet_creatd' } })).toThrow(
      /no column "tweet_creatd" \(mapped to created_at\) \(did you mean "tweet_created"\?\); its columns are tweet_id, airline_sentiment/,
    );
    expect(() => csvImport(EXPORT, { map: { id: 'tweet_id' }, source: 'twitter' })).toThrow(/no column for created_at: map it with --map created_at=COLUMN/);
    expect(() => csvImport(EXPORT, { ...options, source: 'Twitter' })).toThrow(/lower-case source name/);
    // No mapping at all: the standard columns, and a hint at the mapping.
    expect(() => csvImport(EXPORT)).toThrow(/CSV header lacks id, source, created_at, author_id.*--map id=tweet_id/);
  });
});
