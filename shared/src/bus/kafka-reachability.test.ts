import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { BrokerReachability } from './kafka-reachability.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The probe here is a plain function standing in for the cluster's answer; the Kafka side is tested in test/kafka-broker-down.e2e.test.ts. */
describe('BrokerReachability', () => {
  it('is marked down by a failed produce, tells the publishes waiting, and is up again once a probe is answered', async () => {
    let answering = false;
    const r = new BrokerReachability({
      probe: async () => {
        if (!answering) throw new Error('connect ECONNREFUSED');
      },
      upEveryMs: 60_000,
      downEveryMs: 20,
      probeTimeoutMs: 1_000,
      logger,
    });
    r.start();
    const told: string[] = [];
    const unsubscribe = r.onDown((reason) => told.push(reason));
    r.markDown(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'));
    expect(r.current).toMatchObject({ reachable: false, lastError: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' });
    expect(told).toEqual(['Connection error: connect ECONNREFUSED 127.0.0.1:9092']);
    const since = r.current.downSince;
    await sleep(100);
    // Still down after failed probes: the first moment it went down is kept, and listeners are told once.
    expect(r.current).toMatchObject({ reachable: false, downSince: since });
    expect(told).toHaveLength(1);
    answering = true;
    await vi.waitFor(() => expect(r.current).toEqual({ reachable: true, downSince: null, lastError: null }), { timeout: 5_000, interval: 10 });
    unsubscribe();
    r.stop();
  });

  it('counts a probe that gets no answer in time as down (a host that drops packets never refuses)', async () => {
    const r = new BrokerReachability({ probe: () => new Promise<void>(() => {}), upEveryMs: 10, downEveryMs: 10, probeTimeoutMs: 50, logger });
    r.start();
    await vi.waitFor(() => expect(r.current).toMatchObject({ reachable: false, lastError: 'no broker answered within 50 ms' }), {
      timeout: 5_000,
      interval: 10,
    });
    r.stop();
  });
});
