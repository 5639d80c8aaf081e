import { describe, expect, it } from 'vitest';
import { MemoryBus } from './memory-bus.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { systemClock } from '../clock.js';
import type { BatchHandler, BusMessage } from './types.js';

const newBus = (capacity = 10_000, partitions = 4) =>
  new MemoryBus({ partitions, capacity, logger: createLogger('silent'), metrics: createMetrics({ defaultMetrics: false }), clock: systemClock });

const values = (ms: BusMessage[]) => ms.map((m) => m.value.toString());

/** A member of `group` on topic t, handed batches of up to `maxBatch` at once. */
const join = (bus: MemoryBus, group: string, maxBatch: number, handler: BatchHandler) => bus.subscribe({ group, topic: 't', maxBatch, maxWaitMs: 0, handler });
/** Publishes the values to topic t, each keyed by itself or unkeyed. */
const send = (bus: MemoryBus, vs: string[], keyed = true) =>
  bus.publish(
    't',
    vs.map((v) => ({ key: keyed ? v : null, value: v })),
  );

describe('MemoryBus', () => {
  it('gives every group every message and splits a group’s partitions between its members', async () => {
    const bus = newBus();
    const a1: string[] = [];
    const a2: string[] = [];
    const b: string[] = [];
    await join(bus, 'a', 10, async (ms) => void a1.push(...values(ms)));
    await join(bus, 'a', 10, async (ms) => void a2.push(...values(ms)));
    await join(bus, 'b', 10, async (ms) => void b.push(...values(ms)));
    const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await send(bus, sent);
    expect(await bus.whenIdle(5000)).toBe(true);
    expect([...a1, ...a2].sort()).toEqual([...sent].sort());
    expect(a1.length).toBeGreaterThan(0);
    expect(a2.length).toBeGreaterThan(0);
    expect(new Set([...a1, ...a2]).size).toBe(200);
    expect([...b].sort()).toEqual([...sent].sort());
    await bus.close();
  });

  it('keeps the order of messages that share a key', async () => {
    const bus = newBus();
    const seen = new Map<string, number[]>();
    await join(bus, 'g', 7, async (ms) => {
      for (const m of ms) {
        const [key, n] = m.value.toString().split('#');
        seen.set(key!, [...(seen.get(key!) ?? []), Number(n)]);
      }
    });
    const messages = [];
    for (let n = 0; n < 50; n++) for (const key of ['a', 'b', 'c', 'd', 'e']) messages.push({ key, value: `${key}#${n}` });
    await bus.publish('t', messages);
    await bus.whenIdle(5000);
    for (const key of ['a', 'b', 'c', 'd', 'e']) expect(seen.get(key)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    await bus.close();
  });

  it('redelivers a batch whose handler failed, and commits nothing past it until it succeeds', async () => {
    const bus = newBus(10_000, 1);
    const delivered: string[] = [];
    let failures = 2;
    await join(bus, 'g', 5, async (ms) => {
      if (ms.some((m) => m.value.toString() === 'poison-until-retried') && failures-- > 0) throw new Error('store down');
      delivered.push(...values(ms));
    });
    await send(bus, ['a', 'b', 'poison-until-retried', 'c'], false);
    expect(await bus.whenIdle(10_000)).toBe(true);
    expect(delivered).toEqual(['a', 'b', 'poison-until-retried', 'c']);
    await bus.close();
  });

  it('bounds its queues: a publisher waits while a subscribed group is `capacity` behind', async () => {
    const bus = newBus(100, 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let handled = 0;
    await join(bus, 'slow', 10, async (ms) => {
      await gate;
      handled += ms.length;
    });
    let published = false;
    const publishing = send(
      bus,
      Array.from({ length: 150 }, (_, i) => String(i)),
      false,
    ).then(() => (published = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(published).toBe(false);
    release();
    await publishing;
    await bus.whenIdle(5000);
    expect(handled).toBe(150);
    await bus.close();
  });

  it('lets a new member take over the partitions of one that stopped, from the last commit', async () => {
    const bus = newBus(10_000, 2);
    const first: string[] = [];
    const sub = await join(bus, 'g', 100, async (ms) => void first.push(...values(ms)));
    await send(bus, ['1', '2', '3']);
    await bus.whenIdle(5000);
    await sub.stop();
    await send(bus, ['4', '5']);
    const second: string[] = [];
    await join(bus, 'g', 100, async (ms) => void second.push(...values(ms)));
    await bus.whenIdle(5000);
    expect(first.sort()).toEqual(['1', '2', '3']);
    expect(second.sort()).toEqual(['4', '5']);
    await bus.close();
  });

  it("confirms a batch is the member's while it holds the partition, and refuses once it was stopped", async () => {
    const bus = newBus(10_000, 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const answers: string[] = [];
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    const sub = await join(bus, 'g', 10, async (_ms, batch) => {
      await batch.confirmOwnership();
      answers.push('confirmed');
      held();
      await gate;
      await batch.confirmOwnership().catch((err: Error) => void answers.push(err.name));
    });
    await send(bus, ['a']);
    await holding;
    const stopping = sub.stop();
    release();
    await stopping;
    expect(answers).toEqual(['confirmed', 'BatchLostError']);
    await bus.close();
  });
});
