import { ManualClock } from '@earshot/shared';
import type { ConnectorHarness } from './harness.js';
import { startFakeApi, type FakeRequest, type Reply } from './fake-api.js';
import { POLL_CASES, type Held } from './poll-sources.js';

export type Health = { state: string; last_error: string | null; next_attempt_at: string | null; notice: { at: string; message: string } | null };

/**
 * One poll source of POLL_CASES against its fake, starting at `t0`, with `wrap` changing
 * answers as the service would in the case a test models; `extra` adds brands-file options
 * (an `id` of its own keeps its checkpoint apart from other tests' in the same store).
 */
export async function oneSource(
  h: ConnectorHarness,
  t0: number,
  type: string,
  wrap: (reply: Reply, req: FakeRequest) => Reply,
  env?: Record<string, string>,
  extra: Record<string, unknown> = {},
) {
  const c = POLL_CASES.find((x) => x.type === type)!;
  const clock = new ManualClock(t0);
  const held: Held[] = [];
  const api = await startFakeApi((req) => wrap(c.route(req, held, clock.now()), req));
  const runner = h.runner(
    `brands:\n  - id: acme\n    query: "${c.brandQuery ?? 'acme'}"\n    sources:\n      - ${JSON.stringify({ type, ...c.options(api.url), ...extra })}\n`,
    {
      env: env ?? c.env,
      clock,
    },
  );
  const add = (t: number) => {
    const n = held.length;
    held.push({ n, t, raw: c.item(n, t) });
    return c.id(n, t);
  };
  return {
    c,
    clock,
    h,
    api,
    runner,
    held,
    add,
    health: () => (runner.health().check().detail as Health[])[0]!,
    poll: () => runner.pollOnce(typeof extra.id === 'string' ? extra.id : `acme.${type}`),
  };
}
export type OneSource = Awaited<ReturnType<typeof oneSource>>;

export const teardown = async (s: OneSource | undefined) => {
  await s?.runner.stop();
  await s?.api.close();
};
