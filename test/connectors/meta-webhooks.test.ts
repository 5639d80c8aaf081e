import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentionsRawTopic, systemClock } from '@earshot/shared';
import { Ingestor, buildConnectors, createBrandMatcher, loadBrandsFile } from '@earshot/ingest';
import { createHooksRouter } from '../../services/ingest/src/hooks.js';
import { freshMetrics } from '../helpers.js';
import { connectorHarness, type ConnectorHarness } from './harness.js';

const SECRET = 'meta-app-secret';
const VERIFY = 'my-verify-token';
const BRANDS = `brands:
  - id: acme
    query: acme
    sources:
      - { type: facebook_page, page_id: "1111" }
      - { type: instagram, account_id: "17841400000000001", username: acme_official }
  - id: globex
    query: globex
    sources:
      - { type: facebook_page, page_id: "2222" }
`;

/**
 * Meta's webhooks as documented: the subscription check
 * (https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests),
 * deliveries signed in X-Hub-Signature-256 with the app secret
 * (…#event-notifications), Page `feed` changes
 * (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed) and Instagram
 * `comments` changes (https://developers.facebook.com/docs/instagram-platform/webhooks/examples).
 */
describe('facebook_page and instagram webhooks', () => {
  let h: ConnectorHarness;
  let url = '';
  let close: () => Promise<void>;
  const env = { EARSHOT_META_APP_SECRET: SECRET, EARSHOT_META_VERIFY_TOKEN: VERIFY };

  beforeAll(async () => {
    h = await connectorHarness();
    const brands = loadBrandsFile('brands.yaml', BRANDS, env);
    const matcher = createBrandMatcher({}, brands.queries);
    const metrics = freshMetrics();
    const ingestor = new Ingestor({ bus: h.bus, clock: systemClock, metrics, matchBrands: matcher, rawTopic: mentionsRawTopic.name });
    const { hooks } = buildConnectors(brands.sources, {
      env: (n) => env[n as keyof typeof env],
      clock: systemClock,
      retryMs: 1,
      signal: new AbortController().signal,
    });
    const app = express().use(createHooksRouter({ hooks, ingestor, metrics, clock: systemClock, maxBodyBytes: 1_000_000 }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((r) => server.close(() => r()));
  });
  afterAll(async () => {
    await close?.();
    await h?.close();
  });

  // Meta sends its payload with non-ASCII escaped; the signature is over the bytes sent.
  const deliver = (hook: string, payload: unknown, secret = SECRET) => {
    const body = JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return fetch(`${url}/v1/hooks/${hook}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
      body,
    });
  };

  it('answers the subscription check with the challenge, and refuses a wrong verify token', async () => {
    const ok = await fetch(`${url}/v1/hooks/facebook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${url}/v1/hooks/instagram?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess`);
    expect(wrong.status).toBe(403);
  });

  it("Page comments and visitor posts land for the brand whose Page it is, with the Page's reply marked; likes are skipped", async () => {
    const time = Math.floor(Date.now() / 1000);
    const res = await deliver('facebook', {
      object: 'page',
      entry: [
        {
          id: '1111',
          time,
          changes: [
            {
              field: 'feed',
              value: {
                from: { id: '9001', name: 'Dana Customer' },
                post: {
                  status_type: 'added_photos',
                  is_published: true,
                  updated_time: '2026-11-20T12:00:00+0000',
                  permalink_url: 'https://www.facebook.com/acme/posts/pfbid1',
                  promotion_status: 'inactive',
                  id: '1111_55',
                },
                message: 'My order never arrived — ça suffit',
                post_id: '1111_55',
                comment_id: '55_77',
                created_time: time,
                item: 'comment',
                parent_id: '1111_55',
                verb: 'add',
              },
            },
            {
              field: 'feed',
              value: {
                from: { id: '1111', name: 'Acme' },
                message: 'Sorry Dana, we are on it',
                post_id: '1111_55',
                comment_id: '55_78',
                created_time: time + 60,
                item: 'comment',
                parent_id: '55_77',
                verb: 'add',
              },
            },
            {
              field: 'feed',
              value: {
                from: { id: '9002', name: 'Lee' },
                post_id: '1111_55',
                created_time: time,
                item: 'reaction',
                reaction_type: 'like',
                verb: 'add',
                parent_id: '1111_55',
              },
            },
          ],
        },
        {
          id: '2222',
          time,
          changes: [
            {
              field: 'feed',
              value: {
                from: { id: '9003', name: 'Sam' },
                message: 'Visitor post on the Globex page',
                post_id: '2222_9',
                created_time: time,
                item: 'status',
                verb: 'add',
                published: 1,
              },
            },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: [] });
    await h.bus.whenIdle();
    const byId = new Map(h.landed.map((m) => [m.id, m]));
    expect(byId.get('55_77')).toMatchObject({
      source: 'facebook',
      text: 'My order never arrived — ça suffit',
      brands: ['acme'],
      in_reply_to: '1111_55',
      author: { id: '9001', handle: 'Dana Customer' },
      url: 'https://www.facebook.com/acme/posts/pfbid1',
    });
    expect(byId.get('55_78')).toMatchObject({ brands: ['acme'], in_reply_to: '55_77', from_brand: true });
    expect(byId.get('2222_9')).toMatchObject({ brands: ['globex'], text: 'Visitor post on the Globex page' });
  });

  it("Instagram comments land with the brand's own replies marked, in both payload shapes", async () => {
    const time = Math.floor(Date.now() / 1000);
    const res = await deliver('instagram', {
      object: 'instagram',
      entry: [
        {
          id: '17841400000000001',
          time,
          changes: [
            {
              field: 'comments',
              value: {
                from: { id: '2105722729836161', username: 'shopper' },
                media: { id: '18172143295349192', media_product_type: 'FEED' },
                id: '17919697626119712',
                text: 'Where is my refund?',
              },
            },
          ],
        },
        {
          id: '17841400000000001',
          time,
          field: 'comments',
          value: {
            from: { id: '1', username: 'acme_official' },
            media: { id: '18172143295349192', media_product_type: 'FEED' },
            id: '17919697626119713',
            parent_id: '17919697626119712',
            text: 'DM us your order number',
          },
        },
      ],
    });
    expect(res.status).toBe(200);
    await h.bus.whenIdle();
    expect(h.landed.find((m) => m.id === '17919697626119712')).toMatchObject({
      source: 'instagram',
      brands: ['acme'],
      author: { handle: 'shopper' },
      metadata: { media_id: '18172143295349192' },
    });
    expect(h.landed.find((m) => m.id === '17919697626119713')).toMatchObject({ in_reply_to: '17919697626119712', from_brand: true });
  });

  it('an unsigned or wrongly signed delivery is refused with 401 and nothing lands', async () => {
    const before = h.landed.length;
    const payload = {
      object: 'page',
      entry: [
        {
          id: '1111',
          time: 1,
          changes: [{ field: 'feed', value: { from: { id: '1', name: 'x' }, message: 'acme forged', post_id: '1111_1', item: 'status', verb: 'add' } }],
        },
      ],
    };
    expect((await deliver('facebook', payload, 'not-the-secret')).status).toBe(401);
    const bearer = await fetch(`${url}/v1/hooks/facebook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
      body: JSON.stringify(payload),
    });
    expect(bearer.status).toBe(401);
    await h.bus.whenIdle();
    expect(h.landed.length).toBe(before);
  });

  it('an entry for a Page no brand names is rejected with its reason; the rest of the delivery lands', async () => {
    const time = Math.floor(Date.now() / 1000);
    const res = await deliver('facebook', {
      object: 'page',
      entry: [
        {
          id: '3333',
          time,
          changes: [{ field: 'feed', value: { from: { id: '5', name: 'x' }, message: 'hi', post_id: '3333_1', item: 'status', verb: 'add' } }],
        },
        {
          id: '1111',
          time,
          changes: [{ field: 'feed', value: { from: { id: '6', name: 'y' }, message: 'still waiting', post_id: '1111_2', item: 'status', verb: 'add' } }],
        },
      ],
    });
    const answer = (await res.json()) as { accepted: number; rejected: { reason: string }[] };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected[0]!.reason).toMatch(/page account 3333, which no brand in the brands file names/);
  });
});
