import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { seededRandom, type Alert, type Mention } from '@earshot/shared';
import { overHttp, postAndDrain, tempDir, testConfig } from './helpers.js';

const MIN = 60_000;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Eight hours of a brand's ordinary chatter on a few steady topics (about two mentions a
 * minute), then a storm about a topic nobody raised before: twenty complaints a minute for
 * ten minutes, the checkout is broken.
 */
function chatterThenStorm(start: number) {
  const rand = seededRandom(38);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  // Steady topics, each said many ways: ordinary chatter is varied.
  const chatter = [
    ['Does Acme ship to', 'Will Acme deliver to', 'Any idea if Acme sends orders to'].map((a) => `${a} ${pick(['Canada', 'Mexico', 'Ireland', 'Norway'])}?`),
    ['Acme has a sale this weekend', 'Big discounts at Acme right now', 'Acme spring sale starts Friday'],
    ['Love my Acme jacket, fits perfectly', 'The Acme sneakers I bought are so comfy', 'My new Acme backpack is great quality'],
    ['Which store opens earlier, Acme or the mall?', 'Acme store on Main Street has new opening hours', 'Is the Acme shop open on Sundays?'],
    ['Acme gift cards make easy presents', 'Got an Acme gift card for my birthday', 'Can I use two Acme gift cards at once?'],
  ];
  const storm = [
    'Acme checkout is broken, my payment failed three times',
    'Cannot pay on Acme, the checkout keeps erroring out. Terrible',
    'Acme took my money and the order failed, fix your checkout',
    'Payment error again at Acme checkout, this is ridiculous',
    'Acme checkout down, charged twice and no order. Awful service',
  ];
  const mentions: Mention[] = [];
  const add = (t: number, text: string) => {
    const n = mentions.length;
    mentions.push({
      id: `es-${n}`,
      source: 'twitter',
      text,
      created_at: new Date(t).toISOString(),
      author: { id: `u${n}`, handle: `user${n}` },
      url: `https://x.com/user${n}/status/es${n}`,
      brands: ['acme'],
    });
  };
  const incident = { start: start + 480 * MIN, end: start + 490 * MIN };
  for (let t = start; t < incident.end + 10 * MIN; t += MIN) {
    for (let i = 0; i < 2; i++) if (rand() < 0.9) add(t + Math.floor(rand() * MIN), pick(pick(chatter)));
    if (t >= incident.start && t < incident.end) for (let i = 0; i < 20; i++) add(t + Math.floor(rand() * MIN), pick(storm));
  }
  return { mentions, incident, storm };
}

/**
 * emerging_story on the user's path: stories on, eight hours of a brand's ordinary chatter
 * posted over HTTP, then a storm about a topic nobody raised before (the checkout is
 * broken); the classifier gives every mention its story, the writer stores them, and the
 * detector, replayed over the storm, opens an alert that names the story carrying it, with
 * the story as its explanation; GET /v1/alerts lists it by kind. Which story the storm lands
 * in (a new one, or an old one it swamps) is the clustering's choice: either is an
 * emerging_story ("new story" or "story" in the summary).
 */
describe('emerging_story: a burst of a new topic opens an alert naming its story', () => {
  const dir = tempDir();
  let rt: Runtime;
  const past = chatterThenStorm(Date.UTC(2026, 10, 20, 1, 0));
  let alerts: Alert[] = [];

  beforeAll(async () => {
    // One partition: the clustering is online, so the stories depend on arrival order (docs/stories.md).
    rt = await startRuntime(
      testConfig({
        EARSHOT_DATA_DIR: dir.path,
        EARSHOT_STORIES: '1',
        EARSHOT_TOPIC_PARTITIONS: '1',
        EARSHOT_BRANDS: 'acme=acme',
        EARSHOT_DETECT_CRON: '0 0 1 1 *',
      }),
      overHttp(['ingest', 'classifier', 'writer', 'detector', 'api']),
    );
    await postAndDrain(rt, [past.mentions]);
    alerts = await rt.detector!.replay(past.incident.start - 30 * MIN, past.incident.end, { stepMs: MIN, notify: false });
  }, 300_000);
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('opens an emerging_story alert within minutes of the storm, naming the story that carries it, with that story as the explanation', async () => {
    const opened = alerts.filter((a) => a.kind === 'emerging_story' && a.status === 'open');
    // Eight steady hours: nothing emerging before the storm (the replay starts half an hour before it).
    expect(opened.filter((a) => Date.parse(a.opened_at) < past.incident.start)).toEqual([]);
    expect(opened.length).toBeGreaterThan(0);
    const first = opened[0]!;
    expect(Date.parse(first.opened_at)).toBeLessThan(past.incident.start + 5 * MIN);
    // The summary names the story its explanation holds, with the count the window saw.
    const story = first.explanation!.stories![0]!;
    expect(first.explanation!.stories).toHaveLength(1);
    expect(story.label).not.toBe('');
    expect(first.summary).toMatch(new RegExp(`^(new )?story "${escape(story.label)}": ${story.mentions} mentions in \\d+ min, \\d+% negative`));
    // That story carries the storm: the window's mentions in it are nearly all the storm's complaints.
    expect(story.mentions).toBeGreaterThanOrEqual(20);
    const text = new Map(past.mentions.map((m) => [m.id, m.text]));
    const samples = first.sample_mentions.map((m) => text.get(m.id));
    expect(samples.filter((t) => past.storm.includes(t!)).length).toBeGreaterThanOrEqual(samples.length - 1);
    const listed = (await (await fetch(`${rt.url}/v1/alerts?kind=emerging_story&status=all`)).json()) as { items: Alert[] };
    expect(listed.items.map((a) => a.id)).toContain(first.id);
  });
});
