import { seededRandom, type Mention } from '@earshot/shared';

const MIN = 60_000;

/**
 * Mentions of one brand over three and a half past hours, as a user might export them: about two a
 * minute of ordinary chatter, then a complaint storm (twenty complaints a minute for ten
 * minutes: the checkout is broken) that detection must flag, then chatter again.
 */
export function pastMentions(o: { brand: string; start: number; seed?: number }): { mentions: Mention[]; incident: { start: number; end: number } } {
  const rand = seededRandom(o.seed ?? 36);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const name = o.brand[0]!.toUpperCase() + o.brand.slice(1);
  const chatter = [
    `Just tried the new ${name} app, really smooth`,
    `Does ${name} ship to Canada?`,
    `${name} has a sale this weekend apparently`,
    `Love my ${name} order, arrived early`,
    `Anyone compared ${name} with the others?`,
    `Thinking of switching to ${name} next month`,
  ];
  const complaints = [
    `${name} checkout is broken, my payment failed three times`,
    `Cannot pay on ${name}, the checkout keeps erroring out. Terrible`,
    `${name} took my money and the order failed, fix your checkout`,
    `Payment error again at ${name} checkout, this is ridiculous`,
    `${name} checkout down, charged twice and no order. Awful service`,
  ];
  const mentions: Mention[] = [];
  const add = (t: number, text: string) => {
    const n = mentions.length;
    mentions.push({
      id: `past-${o.seed ?? 36}-${n}`,
      source: 'twitter',
      text,
      created_at: new Date(t).toISOString(),
      author: { id: `u${n}`, handle: `user${n}` },
      url: `https://x.com/user${n}/status/past${n}`,
      brands: [o.brand],
    });
  };
  const incident = { start: o.start + 180 * MIN, end: o.start + 190 * MIN };
  for (let m = 0; m < 210; m++) {
    const t = o.start + m * MIN;
    for (let i = 0; i < 2; i++) if (rand() < 0.9) add(t + Math.floor(rand() * MIN), pick(chatter));
    if (t >= incident.start && t < incident.end) for (let i = 0; i < 20; i++) add(t + Math.floor(rand() * MIN), pick(complaints));
  }
  return { mentions, incident };
}
