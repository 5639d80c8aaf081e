import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetters, deadLetterTopic, mentionsRawTopic, systemClock } from '@earshot/shared';
import { Ingestor, buildConnectors, createBrandMatcher, loadBrandsFile } from '@earshot/ingest';
import { createHooksRouter } from '../../services/ingest/src/hooks.js';
import { freshMetrics, quietLogger } from '../helpers.js';
import { connectorHarness, type ConnectorHarness } from './harness.js';
import { startFakeApi, type FakeApi, type FakeRequest, type Reply } from './fake-api.js';

const SECRET = 'meta-app-secret';
const ACME = '17841400000000001';
const GLOBEX = '17841400000000002';
const TOKEN = 'EAAG_mentions';

/**
 * The Graph API's mention lookups as Meta documents them
 * (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/mentioned_media
 * and …/ig-user/mentioned_comment): GET /{ig-user-id}?fields=mentioned_media.media_id(<id>){fields}
 * answers {mentioned_media: {...}, id: <ig-user-id>}; likewise mentioned_comment.comment_id(<id>).
 * An id that is not (or no longer) there is Graph error 100; a bad token 190.
 */
const MEDIA: Record<string, Record<string, unknown>> = {
  '18027939643230671': {
    id: '18027939643230671',
    caption: 'Third week waiting for my @acme_official parcel',
    media_type: 'IMAGE',
    permalink: 'https://www.instagram.com/p/C8xYz/',
    timestamp: '2026-11-20T11:58:00+0000',
    username: 'dana.k',
    like_count: 14,
    comments_count: 3,
  },
};
const COMMENTS: Record<string, Record<string, unknown>> = {
  '17873440459141021': {
    id: '17873440459141021',
    text: '@acme_official same here, no refund yet',
    timestamp: '2026-11-20T11:59:30+0000',
    like_count: 2,
    media: { id: '18027939643230671' },
  },
};
function graph(req: FakeRequest): Reply {
  const error = (code: number, message: string): Reply => ({ status: 400, json: { error: { message, type: 'OAuthException', code, fbtrace_id: 'x' } } });
  if (req.query.get('access_token') !== TOKEN) return error(190, 'Invalid OAuth access token - Cannot parse access token');
  const account = /^\/v25\.0\/(\d+)$/.exec(req.path)?.[1];
  const f = /^(mentioned_media)\.media_id\((\d+)\)\{([\w,{}]+)\}$|^(mentioned_comment)\.comment_id\((\d+)\)\{([\w,{}]+)\}$/.exec(req.query.get('fields') ?? '');
  if (!account || !f) return error(100, 'Tried accessing nonexisting field');
  const [edge, id, fields] = f[1] ? [f[1], f[2]!, f[3]!] : [f[4]!, f[5]!, f[6]!];
  const found = (edge === 'mentioned_media' ? MEDIA : COMMENTS)[id];
  if (!found) return error(100, `Unsupported get request. Object with ID '${id}' does not exist`);
  const wanted = fields.split(',');
  return { json: { [edge]: Object.fromEntries(Object.entries(found).filter(([k]) => wanted.includes(k))), id: account } };
}

describe('instagram webhook: @mentions looked up by id', () => {
  let h: ConnectorHarness;
  let api: FakeApi;
  let url = '';
  let close: () => Promise<void>;
  const env = { EARSHOT_META_APP_SECRET: SECRET, EARSHOT_META_VERIFY_TOKEN: 'v', EARSHOT_INSTAGRAM_TOKEN: TOKEN };

  beforeAll(async () => {
    h = await connectorHarness();
    api = await startFakeApi(graph);
    const brands = loadBrandsFile(
      'brands.yaml',
      `brands:
  - id: acme
    query: acme
    sources:
      - { type: instagram, account_id: "${ACME}", username: acme_official, mentions_token_env: EARSHOT_INSTAGRAM_TOKEN, base_url: "${api.url}" }
  - id: globex
    query: globex
    sources:
      - { type: instagram, account_id: "${GLOBEX}", username: globex }
`,
      env,
    );
    const matcher = createBrandMatcher({}, brands.queries);
    const metrics = freshMetrics();
    const ingestor = new Ingestor({ bus: h.bus, clock: systemClock, metrics, matchBrands: matcher, rawTopic: mentionsRawTopic.name });
    const deadLetters = new DeadLetters({ bus: h.bus, clock: systemClock, logger: quietLogger(), metrics, topicName: deadLetterTopic.name });
    const { hooks } = buildConnectors(brands.sources, {
      env: (n) => env[n as keyof typeof env],
      clock: systemClock,
      retryMs: 1,
      signal: new AbortController().signal,
    });
    const app = express().use(createHooksRouter({ hooks, ingestor, metrics, clock: systemClock, maxBodyBytes: 1_000_000, deadLetters }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((r) => server.close(() => r()));
  });
  afterAll(async () => {
    await close?.();
    await api?.close();
    await h?.close();
  });

  // https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram/#mentions :
  // the `mentions` field's value is {media_id} for a caption, {media_id, comment_id} for a comment.
  const deliver = (account: string, value: Record<string, string>) => {
    const body = JSON.stringify({
      object: 'instagram',
      entry: [{ id: account, time: Math.floor(Date.now() / 1000), changes: [{ field: 'mentions', value }] }],
    });
    return fetch(`${url}/v1/hooks/instagram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
      body,
    });
  };

  it('an @mention in a caption lands as the post, with its author, text, link and counts', async () => {
    expect((await deliver(ACME, { media_id: '18027939643230671' })).status).toBe(200);
    await h.bus.whenIdle();
    expect(h.landed.find((m) => m.id === '18027939643230671')).toMatchObject({
      source: 'instagram',
      brands: ['acme'],
      text: 'Third week waiting for my @acme_official parcel',
      created_at: '2026-11-20T11:58:00.000Z',
      author: { id: 'dana.k', handle: 'dana.k' },
      url: 'https://www.instagram.com/p/C8xYz/',
      engagement: { likes: 14, replies: 3 },
      metadata: { account_id: ACME, mention: 'caption' },
    });
    const call = api.requests.at(-1)!;
    expect(call.path).toBe(`/v25.0/${ACME}`);
    expect(call.query.get('fields')).toMatch(/^mentioned_media\.media_id\(18027939643230671\)\{/);
  });

  it('an @mention in a comment lands as the comment, replying to the post', async () => {
    expect((await deliver(ACME, { media_id: '18027939643230671', comment_id: '17873440459141021' })).status).toBe(200);
    await h.bus.whenIdle();
    expect(h.landed.find((m) => m.id === '17873440459141021')).toMatchObject({
      brands: ['acme'],
      text: '@acme_official same here, no refund yet',
      created_at: '2026-11-20T11:59:30.000Z',
      in_reply_to: '18027939643230671',
      engagement: { likes: 2 },
      metadata: { mention: 'comment', media_id: '18027939643230671' },
    });
  });

  it('a Graph API outage refuses the delivery with 503 so that Meta sends it again; the second delivery lands once', async () => {
    MEDIA['18027939643230672'] = { ...MEDIA['18027939643230671'], id: '18027939643230672', caption: 'Is @acme_official down again?' };
    api.failNext({ status: 503, text: 'upstream unavailable' }, 10);
    const refused = await deliver(ACME, { media_id: '18027939643230672' });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toMatch(/nothing was kept: a lookup this delivery needs failed/);
    await h.bus.whenIdle();
    expect(h.landed.some((m) => m.id === '18027939643230672')).toBe(false);
    api.clearFaults();
    expect((await deliver(ACME, { media_id: '18027939643230672' })).status).toBe(200);
    await h.bus.whenIdle();
    expect(h.landed.filter((m) => m.id === '18027939643230672')).toHaveLength(1);
  });

  it('a mention that cannot be looked up goes to the dead letters with its ids and the reason', async () => {
    expect((await deliver(ACME, { media_id: '18000000000000000' })).status).toBe(200);
    expect((await deliver(GLOBEX, { media_id: '18027939643230671' })).status).toBe(200);
    await h.bus.whenIdle();
    const letters = h.letters.filter((l) => l.origin === 'webhook:instagram');
    expect(letters.map((l) => l.reason)).toEqual([
      expect.stringMatching(/^@mention \(media 18000000000000000\) could not be looked up: .*code 100: Unsupported get request/),
      expect.stringMatching(new RegExp(`^@mention of Instagram account ${GLOBEX} \\(media 18027939643230671\\) arrives as ids only: set mentions_token_env`)),
    ]);
    expect(JSON.parse(letters[0]!.payload)).toEqual({ media_id: '18000000000000000' });
    expect(h.landed.filter((m) => m.brands.includes('globex'))).toHaveLength(0);
  });
});
