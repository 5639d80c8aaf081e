import { describe, expect, it } from 'vitest';
import { ManualClock } from '@earshot/shared';
import { harnessForSuite } from './harness.js';
import { startFakeApi, pageOf, type FakeRequest, type Reply } from './fake-api.js';
import type { Health } from './one-source.js';

const T0 = Date.parse('2026-11-20T12:00:00Z'); // 04:00 in Los Angeles
const MIN = 60_000;
const h = harnessForSuite();

interface Thread {
  top: string;
  at: number;
  replies: { id: string; at: number }[];
}
const iso = (t: number) => new Date(t).toISOString();
const comment = (id: string, at: number, text: string, parentId?: string) => ({
  kind: 'youtube#comment',
  etag: 'e',
  id,
  snippet: {
    channelId: 'UC1',
    videoId: 'vid1',
    textDisplay: text,
    textOriginal: text,
    authorDisplayName: `@viewer-${id}`,
    authorChannelId: { value: `UC-${id}` },
    likeCount: 1,
    publishedAt: iso(at),
    updatedAt: iso(at),
    ...(parentId ? { parentId } : {}),
  },
});

/**
 * YouTube as documented (https://developers.google.com/youtube/v3/docs/commentThreads and
 * /commentThreads/list, /docs/comments/list): with part=replies a thread carries "a limited
 * number of replies" (here the first two) beside `totalReplyCount`; commentThreads.list?id=
 * gives threads by id; comments.list?parentId= gives all the replies, up to 100 a page.
 */
function youtubeRoute(threads: Thread[], calls: string[]) {
  return (req: FakeRequest): Reply => {
    if (req.query.get('key') !== 'yk') return { status: 400, json: { error: { code: 400, message: 'API key not valid.' } } };
    const asThread = (t: Thread) => ({
      kind: 'youtube#commentThread',
      etag: 'e',
      id: t.top,
      snippet: {
        channelId: 'UC1',
        videoId: 'vid1',
        totalReplyCount: t.replies.length,
        canReply: true,
        isPublic: true,
        topLevelComment: comment(t.top, t.at, `top ${t.top}`),
      },
      ...(req.query.get('part')?.split(',').includes('replies') && t.replies.length
        ? { replies: { comments: t.replies.slice(0, 2).map((r) => comment(r.id, r.at, `reply ${r.id}`, t.top)) } }
        : {}),
    });
    if (req.path === '/youtube/v3/commentThreads') {
      calls.push(req.query.has('id') ? 'commentThreads?id' : 'commentThreads');
      if (req.query.has('id')) {
        const ids = req.query.get('id')!.split(',');
        if (ids.length > 50) return { status: 400, json: { error: { code: 400, message: 'too many ids' } } };
        return { json: { kind: 'youtube#commentThreadListResponse', items: threads.filter((t) => ids.includes(t.top)).map(asThread) } };
      }
      const sorted = [...threads].sort((a, b) => b.at - a.at);
      const { page, next } = pageOf(sorted, Number(req.query.get('pageToken') ?? 0), Number(req.query.get('maxResults')));
      return { json: { kind: 'youtube#commentThreadListResponse', items: page.map(asThread), ...(next !== null ? { nextPageToken: String(next) } : {}) } };
    }
    if (req.path === '/youtube/v3/comments' && req.query.has('parentId')) {
      calls.push(`comments?parentId=${req.query.get('parentId')}`);
      const t = threads.find((x) => x.top === req.query.get('parentId'));
      const size = Math.min(Number(req.query.get('maxResults') ?? 20), 100);
      const { page, next } = pageOf(t?.replies ?? [], Number(req.query.get('pageToken') ?? 0), size);
      return {
        json: {
          kind: 'youtube#commentListResponse',
          items: page.map((r) => comment(r.id, r.at, `reply ${r.id}`, t!.top)),
          ...(next !== null ? { nextPageToken: String(next) } : {}),
        },
      };
    }
    return { status: 404, json: { error: { code: 404, message: 'Not Found' } } };
  };
}

async function setUp(id: string, options: Record<string, unknown> = {}) {
  const clock = new ManualClock(T0);
  const threads: Thread[] = [];
  const calls: string[] = [];
  const api = await startFakeApi(youtubeRoute(threads, calls));
  const source = JSON.stringify({ type: 'youtube', id, video_id: 'vid1', base_url: api.url, ...options });
  const runner = h.runner(`brands:\n  - id: acme\n    query: acme\n    sources:\n      - ${source}\n`, { env: { EARSHOT_YOUTUBE_API_KEY: 'yk' }, clock });
  const replies = (top: string, n: number, from: number, at: number) => Array.from({ length: n }, (_, i) => ({ id: `${top}.r${from + i}`, at: at + i * 1000 }));
  return {
    clock,
    threads,
    calls,
    replies,
    poll: () => runner.pollOnce(id),
    health: () => (runner.health().check().detail as Health[])[0]!,
    landedOf: (top: string) => h.landed.filter((m) => m.id.startsWith(`${top}.`)),
    close: async () => {
      await runner.stop();
      await api.close();
    },
  };
}

describe('youtube: replies beyond the few a comment thread carries', () => {
  it('all replies of a thread land once, each a reply to its comment; a thread carrying all its replies costs no call', async () => {
    const s = await setUp('acme.yt.replies');
    try {
      s.threads.push({ top: 'UgxA', at: T0 - 5 * MIN, replies: s.replies('UgxA', 150, 0, T0 - 4 * MIN) });
      s.threads.push({ top: 'UgxB', at: T0 - 3 * MIN, replies: s.replies('UgxB', 2, 0, T0 - 2 * MIN) });
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      const a = s.landedOf('UgxA');
      expect(a).toHaveLength(150);
      expect(new Set(a.map((m) => m.id)).size).toBe(150);
      expect(a.find((m) => m.id === 'UgxA.r120')).toMatchObject({
        in_reply_to: 'UgxA',
        text: 'reply UgxA.r120',
        url: 'https://www.youtube.com/watch?v=vid1&lc=UgxA.r120',
        metadata: { video_id: 'vid1', thread: 'UgxA' },
        brands: ['acme'],
      });
      expect(s.landedOf('UgxB')).toHaveLength(2);
      expect(h.landed.find((m) => m.id === 'UgxA')).toMatchObject({ engagement: { replies: 150 } });
      // 150 replies: two pages of comments.list for A; none for B, whose two replies came with it.
      expect(s.calls.filter((c) => c.startsWith('comments?parentId'))).toEqual(['comments?parentId=UgxA', 'comments?parentId=UgxA']);
    } finally {
      await s.close();
    }
  });

  it('a reply to a thread older than the look-back is read when its reply count rises', async () => {
    const s = await setUp('acme.yt.late');
    try {
      s.threads.push({ top: 'UgxOld', at: T0 - 3 * 60 * MIN, replies: s.replies('UgxOld', 1, 0, T0 - 170 * MIN) });
      s.threads.push({ top: 'UgxNew', at: T0 - MIN, replies: [] });
      expect(await s.poll()).toBe('ok');
      s.clock.advance(15 * MIN);
      s.threads[0]!.replies.push(...s.replies('UgxOld', 3, 1, s.clock.now() - 5000));
      expect(await s.poll()).toBe('ok');
      s.clock.advance(15 * MIN);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(
        s
          .landedOf('UgxOld')
          .map((m) => m.id)
          .sort(),
      ).toEqual(['UgxOld.r0', 'UgxOld.r1', 'UgxOld.r2', 'UgxOld.r3']);
      // The count is asked again by id each poll (1 unit for up to 50 threads); the replies read only once it rose.
      expect(s.calls.filter((c) => c === 'commentThreads?id')).toHaveLength(2);
      expect(s.calls.filter((c) => c === 'comments?parentId=UgxOld')).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('replies take at most replies.units_per_day quota units a day; the rest wait for the Pacific-time reset', async () => {
    const s = await setUp('acme.yt.budget', { replies: { units_per_day: 2 } });
    try {
      for (const top of ['UgxP', 'UgxQ', 'UgxR']) s.threads.push({ top, at: T0 - 5 * MIN, replies: s.replies(top, 4, 0, T0 - 4 * MIN) });
      expect(await s.poll()).toBe('ok');
      s.clock.advance(15 * MIN);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      const read = ['UgxP', 'UgxQ', 'UgxR'].map((t) => s.landedOf(t).length);
      // Two threads' replies read in full (1 unit each), the third has only the two its thread carried.
      expect(read.sort()).toEqual([2, 4, 4]);
      expect(s.calls.filter((c) => c.startsWith('comments?parentId'))).toHaveLength(2);
      expect(s.health().notice?.message).toMatch(/^replies of 1 comment thread\(s\) are read next poll: .*replies\.units_per_day \(2 quota units\) is spent/);
      // Midnight in Los Angeles (08:00 UTC) starts a new quota day.
      s.clock.set(Date.parse('2026-11-21T08:05:00Z'));
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(['UgxP', 'UgxQ', 'UgxR'].map((t) => s.landedOf(t).length)).toEqual([4, 4, 4]);
    } finally {
      await s.close();
    }
  });

  it('replies: false reads top-level comments only, with no reply calls', async () => {
    const s = await setUp('acme.yt.off', { replies: false });
    try {
      s.threads.push({ top: 'UgxOff', at: T0 - MIN, replies: s.replies('UgxOff', 5, 0, T0 - 30_000) });
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.landed.find((m) => m.id === 'UgxOff')).toMatchObject({ engagement: { replies: 5 } });
      expect(s.landedOf('UgxOff')).toHaveLength(0);
      expect(s.calls).toEqual(['commentThreads']);
    } finally {
      await s.close();
    }
  });
});
