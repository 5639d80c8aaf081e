import { poisson, seededRandom, type CampaignEvent, type Mention } from '@earshot/shared';
import { followers, pick } from './random.js';

export interface DemoBrand {
  id: string;
  name: string;
  keywords: string[];
  products: string[];
  /** Mentions per hour at the daily peak. */
  peakRate: number;
}

export const DEMO_BRANDS: DemoBrand[] = [
  {
    id: 'acme',
    name: 'Acme Mobile',
    keywords: ['acme', 'acme mobile', '@acmemobile', '#acme'],
    products: ['5G coverage', 'unlimited plan', 'eSIM', 'roaming', 'the app'],
    peakRate: 34,
  },
  {
    id: 'globex',
    name: 'Globex Coffee',
    keywords: ['globex', '@globexcoffee', '#globex'],
    products: ['oat latte', 'mobile ordering', 'rewards card', 'cold brew', 'the app'],
    peakRate: 28,
  },
  { id: 'initech', name: 'Initech Cloud', keywords: ['initech', '@initech'], products: ['dashboard', 'API', 'billing page', 'backups', 'SSO'], peakRate: 12 },
];

/** `EARSHOT_BRANDS` syntax for the demo brands. */
export const DEMO_BRANDS_ENV = DEMO_BRANDS.map((b) => `${b.id}=${b.keywords.join(',')}`).join(';');

const SOURCES = [
  { name: 'twitter', weight: 0.45, url: (id: string, handle: string) => `https://x.com/${handle}/status/${id}` },
  { name: 'reddit', weight: 0.15, url: (id: string) => `https://www.reddit.com/comments/${id}` },
  { name: 'mastodon', weight: 0.1, url: (id: string, handle: string) => `https://mastodon.social/@${handle}/${id}` },
  { name: 'trustpilot', weight: 0.15, url: (id: string) => `https://www.trustpilot.com/reviews/${id}` },
  { name: 'appstore', weight: 0.15, url: (id: string) => `https://apps.apple.com/review/${id}` },
] as const;

const POSITIVE = [
  'Really happy with {brand} {product}, works great!',
  'Honestly {brand} {product} is the best thing I bought this year 😍',
  'Shoutout to {brand} support, they fixed my {product} issue in minutes. Love it',
  '{brand} {product} is excellent, highly recommend',
  'Great experience with {brand} today, the {product} is so good',
];
const NEUTRAL = [
  'Does {brand} {product} work abroad?',
  'Thinking about switching to {brand}, anyone tried the {product}?',
  '{brand} announced changes to the {product} today',
  'Using {brand} {product} for the first time',
  'How do I reset the {product} on {brand}?',
];
const NEGATIVE = [
  '{brand} {product} is terrible, nothing works',
  'Really disappointed with {brand}, the {product} keeps failing',
  'Worst customer service ever @{handle}, still waiting on my {product} refund',
  '{brand} charged me twice for the {product}. Not happy at all',
  'Why is {brand} {product} so bad lately? So frustrating',
];
const CAMPAIGN = [
  'Just switched to the new {brand} unlimited plan, amazing value! #acmewinter',
  'The {brand} winter unlimited plan ad is brilliant 😂 love it',
  'Ordered the {brand} unlimited plan after seeing the campaign, great deal',
  'Is the {brand} unlimited plan really unlimited? Looks like a good offer',
];
const INCIDENT = [
  '{brand} mobile ordering is down AGAIN. My order failed and I was still charged. Terrible',
  "@{handle} your app is broken, can't order anything, this is ridiculous",
  '{brand} app crashed at checkout three times. Awful. Fix it',
  'Stood in line for 20 minutes because {brand} mobile ordering failed. Worst morning',
  'Is {brand} app down for everyone? Payment error every time, so annoying',
];

/** Each brand's care team: its account, how often and how fast it answers. */
export const DEMO_CARE: Record<string, { account: string; replyRate: number; medianMinutes: number }> = {
  acme: { account: 'AcmeHelp', replyRate: 0.75, medianMinutes: 15 },
  globex: { account: 'GlobexCares', replyRate: 0.55, medianMinutes: 40 },
  initech: { account: 'InitechSupport', replyRate: 0.2, medianMinutes: 240 },
};
const REPLIES = [
  '@{customer} Sorry to hear that! We have sent you a DM to sort out your {product} right away.',
  '@{customer} Thanks for flagging this. Could you DM us your account number so we can look into it?',
  '@{customer} We are on it: a fix for the {product} is rolling out now. Let us know if it persists.',
  '@{customer} Hi! Yes, that works: you will find it under Settings > {product}. Happy to help further.',
];
const FOLLOW_UPS_GOOD = [
  '@{account} thank you, all sorted now. Great support!',
  '@{account} that worked, thanks a lot 🙏',
  '@{account} fixed, appreciate the quick help',
];
const FOLLOW_UPS_BAD = ['@{account} still not fixed, this is useless', '@{account} DMed you two hours ago and nothing. Terrible'];
const ANSWERED_ON = new Set(['twitter', 'reddit', 'mastodon', 'trustpilot']);

export interface DemoScenario {
  start: Date;
  end: Date;
  mentions: Mention[];
  events: CampaignEvent[];
  /** Where the story beats are, for the summary and for tests. */
  campaign: { brand: string; start: Date; end: Date };
  incident: { brand: string; start: Date; end: Date };
  viral: { source: string; id: string };
}

const HOUR = 3_600_000;

/** Daily shape: quiet at night, a peak mid-afternoon (UTC for simplicity). */
const diurnal = (hour: number) => 0.15 + 0.85 * Math.max(0, Math.sin(((hour - 6) / 18) * Math.PI));

/**
 * A seeded, realistic-looking stream: three brands on five sources over `days` days
 * ending at `end`, with daily seasonality, a campaign launch (acme, day 2) and a
 * complaint incident with a viral negative post just before it (globex, day 3). Each
 * brand's care team answers some complaints and questions (acme often and fast,
 * initech rarely and slowly), and some customers write back, happier or not.
 * `story: false` gives the same ordinary traffic without them: a quiet control.
 */
export function generateDemoScenario(opts: { seed: number; end: Date; days?: number; story?: boolean }): DemoScenario {
  const story = opts.story ?? true;
  const rand = seededRandom(opts.seed);
  const days = opts.days ?? 3;
  const end = new Date(Math.floor(opts.end.getTime() / HOUR) * HOUR);
  // From the midnight at least `days` before the end, so a seed gives the same stream,
  // hour for hour, whatever time it is run: the draws for each hour come in the same
  // order, and the story beats sit at fixed UTC hours of its days (the launch mid-morning,
  // the outage at breakfast). Started from the run's own hour, a seed's traffic, and with
  // it what the detectors saw, changed with the hour `npm start` was run at.
  const start = new Date(Math.floor((end.getTime() - days * 24 * HOUR) / (24 * HOUR)) * 24 * HOUR);
  const hours = (end.getTime() - start.getTime()) / HOUR;
  const at = (day: number, hour: number) => new Date(start.getTime() + (day * 24 + hour) * HOUR);
  const campaign = { brand: 'acme', start: at(1, 10), end: at(1, 22) };
  const incident = { brand: 'globex', start: at(2, 8), end: at(2, 11) };

  const mentions: Mention[] = [];
  let seq = 0;
  // Conversations draw from their own sequence, so the rest of the scenario stays as it was.
  const talk = seededRandom(opts.seed + 7);
  const lognormalMinutes = (median: number) => median * Math.exp(0.9 * Math.sqrt(-2 * Math.log(1 - talk())) * Math.cos(2 * Math.PI * talk()));
  /** The brand's care team answers some complaints and questions; some customers write back. */
  const converse = (brand: DemoBrand, m: Mention, hot: boolean) => {
    const care = DEMO_CARE[brand.id]!;
    if (!ANSWERED_ON.has(m.source)) return;
    // An outage swamps the team: fewer answers, later.
    if (talk() > care.replyRate * (hot ? 0.6 : 1)) return;
    const t = Date.parse(m.created_at) + Math.max(1, lognormalMinutes(care.medianMinutes * (hot ? 3 : 1))) * 60_000;
    // What falls after the end is drawn all the same and left out, so the draws, and the
    // stream before the end, do not depend on when the demo is run.
    const thread = m.source === 'trustpilot' ? {} : { metadata: { thread: m.id } };
    const reply: Mention = {
      id: m.source === 'trustpilot' ? `${m.id}:reply` : `${m.id}r`,
      source: m.source,
      text: pick(talk, REPLIES).replaceAll('{customer}', m.author.handle).replaceAll('{product}', pick(talk, brand.products)),
      created_at: new Date(t).toISOString(),
      author: { id: `${brand.id}-care`, handle: care.account, followers: 25_000 },
      lang: 'en',
      brands: [brand.id],
      from_brand: true,
      in_reply_to: m.id,
      ...thread,
    };
    if (t < end.getTime()) mentions.push(reply);
    if (talk() > 0.5) return;
    const later = t + (5 + talk() * 90) * 60_000;
    const good = talk() < (hot ? 0.45 : 0.75);
    const followUp: Mention = {
      id: `${m.id}f`,
      source: m.source,
      text: pick(talk, good ? FOLLOW_UPS_GOOD : FOLLOW_UPS_BAD).replaceAll('{account}', care.account),
      created_at: new Date(later).toISOString(),
      author: m.author,
      lang: 'en',
      brands: [brand.id],
      in_reply_to: reply.id,
      ...thread,
    };
    if (later < end.getTime()) mentions.push(followUp);
  };
  const handles = Array.from({ length: 400 }, (_, i) => ({ id: `u${1000 + i}`, handle: `user_${(i * 7919).toString(36)}`, followers: followers(rand) }));

  const make = (brand: DemoBrand, t: number, template: string, overrides: Partial<Mention> = {}): Mention => {
    const source = weighted(rand, SOURCES);
    const author = pick(rand, handles);
    const id = `${source.name.slice(0, 2)}${(seq++).toString(36).padStart(6, '0')}${opts.seed.toString(36)}`;
    const text = template
      .replaceAll('{brand}', brand.name)
      .replaceAll('{product}', pick(rand, brand.products))
      .replaceAll('{handle}', brand.keywords.find((k) => k.startsWith('@'))?.slice(1) ?? brand.id);
    const views = Math.floor(author.followers * (0.05 + rand() * 0.3));
    return {
      id,
      source: source.name,
      text,
      created_at: new Date(t).toISOString(),
      author: { id: author.id, handle: author.handle, followers: author.followers },
      url: source.url(id, author.handle),
      lang: 'en',
      engagement: { likes: Math.floor(views * rand() * 0.05), shares: Math.floor(views * rand() * 0.01), replies: Math.floor(views * rand() * 0.01), views },
      ...(source.name === 'trustpilot' || source.name === 'appstore'
        ? { rating: template.match(/terrible|worst|awful|disappointed|broken|failed|bad|not happy/i) ? 1 + Math.floor(rand() * 2) : 3 + Math.floor(rand() * 3) }
        : {}),
      ...overrides,
    };
  };

  for (let h = 0; h < hours; h++) {
    const hourStart = start.getTime() + h * HOUR;
    const hourOfDay = new Date(hourStart).getUTCHours();
    for (const brand of DEMO_BRANDS) {
      const n = poisson(rand, brand.peakRate * diurnal(hourOfDay));
      for (let i = 0; i < n; i++) {
        const r = rand();
        const template = r < 0.35 ? pick(rand, POSITIVE) : r < 0.75 ? pick(rand, NEUTRAL) : pick(rand, NEGATIVE);
        const m = make(brand, hourStart + rand() * HOUR, template);
        mentions.push(m);
        if (r >= 0.75 || template.includes('?')) converse(brand, m, false);
      }
      if (story && brand.id === campaign.brand && hourStart >= campaign.start.getTime() && hourStart < campaign.end.getTime()) {
        const extra = poisson(rand, brand.peakRate * 1.5);
        for (let i = 0; i < extra; i++) mentions.push(make(brand, hourStart + rand() * HOUR, pick(rand, CAMPAIGN)));
      }
      if (story && brand.id === incident.brand && hourStart >= incident.start.getTime() && hourStart < incident.end.getTime()) {
        const extra = poisson(rand, brand.peakRate * 5);
        for (let i = 0; i < extra; i++) {
          const m = make(brand, hourStart + rand() * HOUR, pick(rand, INCIDENT));
          mentions.push(m);
          converse(brand, m, true);
        }
      }
    }
  }

  // The first customer to hit the outage has a large following, and the post spreads
  // before the wave of complaints: the early warning PR needs.
  const globex = DEMO_BRANDS.find((b) => b.id === incident.brand)!;
  const viral = make(
    globex,
    incident.start.getTime() - 8 * 60_000,
    '{brand} app took my money and no coffee. Third time this week. Never again, switching to anyone else',
    {
      // Its own id: made after the stream, a counted one would change with the hours generated.
      id: `twviral${opts.seed.toString(36)}`,
      source: 'twitter',
      author: { id: 'u-viral', handle: 'morning_megan', name: 'Megan R', followers: 182_000 },
      engagement: { likes: 9_400, shares: 2_100, replies: 830, views: 640_000 },
    },
  );
  viral.url = `https://x.com/morning_megan/status/${viral.id}`;
  delete viral.rating; // drawn for the source make() picked, before the override: a tweet has none
  if (story) mentions.push(viral);

  mentions.sort((a, b) => a.created_at.localeCompare(b.created_at));
  const events: CampaignEvent[] = !story
    ? []
    : [
        {
          id: 'acme-winter-unlimited',
          brand: 'acme',
          kind: 'campaign',
          title: 'Winter unlimited plan launch',
          starts_at: campaign.start.toISOString(),
          ends_at: campaign.end.toISOString(),
          channels: ['twitter', 'youtube'],
        },
        {
          id: 'globex-ordering-outage',
          brand: 'globex',
          kind: 'outage',
          title: 'Mobile ordering outage',
          starts_at: incident.start.toISOString(),
          ends_at: incident.end.toISOString(),
        },
      ];
  return { start, end, mentions, events, campaign, incident, viral: { source: viral.source, id: viral.id } };
}

function weighted<T extends { weight: number }>(rand: () => number, items: readonly T[]): T {
  let r = rand();
  for (const item of items) {
    r -= item.weight;
    if (r <= 0) return item;
  }
  return items[items.length - 1]!;
}
