import type { z } from 'zod';
import type { BatchControl, Bus, BusMessage, Subscription } from '../bus/types.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { topicName, type Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { ConsumerNode } from '../stream-graph.js';
import type { Topic } from '../topics/topic.js';
import { decodeBatch, decodeOne, type Decoded } from './decode.js';
import type { DeadLetterInput, DeadLetters } from './dead-letters.js';

/** What a stage makes of one value: passed on, dropped on purpose, or refused as bad input. */
export type Outcome<T> = { ok: T } | { drop: string } | { deadLetter: string };

export const ok = <T>(value: T): Outcome<T> => ({ ok: value });
export const drop = (reason: string): Outcome<never> => ({ drop: reason });
export const deadLetter = (reason: string): Outcome<never> => ({ deadLetter: reason });

export interface StageContext {
  /** The batch's messages, one per value, in the same order. */
  readonly messages: readonly BusMessage[];
  /** Asks the bus whether the batch is still this member's, before a write that must not happen twice. */
  readonly batch: BatchControl;
}

/**
 * One step of a consumer. It gets the values the previous step passed on (the first gets
 * them decoded and validated against the topic's schema) and returns one outcome per
 * value, in order; throwing fails the batch, which the bus retries and never commits.
 */
export type Stage<I, O> = (values: I[], ctx: StageContext) => Promise<Outcome<O>[]> | Outcome<O>[];

/** A stage that passes every value on unchanged after doing something with all of them (a write). */
export const forAll =
  <T>(effect: (values: T[], ctx: StageContext) => Promise<void>): Stage<T, T> =>
  async (values, ctx) => {
    await effect(values, ctx);
    return values.map(ok);
  };

export interface ConsumerDefinition {
  readonly node: ConsumerNode;
  readonly stages: readonly Stage<unknown, unknown>[];
}

type Node<S extends z.ZodType> = Omit<ConsumerNode, 'topic'> & { readonly topic: Topic<S> };

/** A consumer of the stream graph's `node`, with its stages in the order the graph names them. */
export function defineConsumer<S extends z.ZodType, A>(node: Node<S>, stages: [Stage<z.infer<S>, A>]): ConsumerDefinition;
export function defineConsumer<S extends z.ZodType, A, B>(node: Node<S>, stages: [Stage<z.infer<S>, A>, Stage<A, B>]): ConsumerDefinition;
export function defineConsumer<S extends z.ZodType, A, B, C>(node: Node<S>, stages: [Stage<z.infer<S>, A>, Stage<A, B>, Stage<B, C>]): ConsumerDefinition;
export function defineConsumer(node: ConsumerNode, stages: Stage<never, unknown>[]): ConsumerDefinition {
  if (stages.length !== node.stages.length) {
    throw new Error(`consumer ${node.name}: the stream graph names ${node.stages.length} stages (${node.stages.join(', ')}), ${stages.length} given`);
  }
  return { node, stages: stages as Stage<unknown, unknown>[] };
}

export interface RunnerDeps {
  bus: Bus;
  config: Pick<Config, 'EARSHOT_TOPIC_PREFIX' | 'EARSHOT_BATCH_SIZE' | 'EARSHOT_BATCH_WAIT_MS'>;
  clock: Clock;
  metrics: Metrics;
  deadLetters: DeadLetters;
  logger: Logger;
}

/**
 * The one consumer loop: decode and validate against the topic's schema, run the stages
 * in order (timed), send refused values to the dead-letter topic with the stage and
 * reason, count dropped ones, and let the bus commit once every stage has resolved.
 */
export function consumerHandler(def: ConsumerDefinition, deps: RunnerDeps): (messages: BusMessage[], batch: BatchControl) => Promise<void> {
  const { node } = def;
  return async (messages, batch) => {
    const decoded =
      node.undecodable === 'log'
        ? decodeOrLog(messages, node, deps.logger)
        : await decodeBatch(messages, node.topic.schema, deps.deadLetters, `${node.name}.decode`);
    let values: unknown[] = decoded.map((d) => d.value);
    let carried = decoded.map((d) => d.message);
    for (const [i, stage] of def.stages.entries()) {
      if (values.length === 0) return;
      const stageName = node.stages[i]!;
      const end = deps.metrics.consumerStageSeconds.startTimer({ consumer: node.name, stage: stageName });
      const outcomes = await stage(values, { messages: carried, batch });
      end();
      if (outcomes.length !== values.length)
        throw new Error(`consumer ${node.name}, stage ${stageName}: ${outcomes.length} outcomes for ${values.length} values`);
      const next: unknown[] = [];
      const nextMessages: BusMessage[] = [];
      const refused: DeadLetterInput[] = [];
      outcomes.forEach((o, j) => {
        const message = carried[j]!;
        if ('ok' in o) {
          next.push(o.ok);
          nextMessages.push(message);
        } else if ('drop' in o) deps.metrics.consumerDropped.inc({ consumer: node.name, stage: stageName });
        else refused.push({ origin: message.topic, stage: `${node.name}.${stageName}`, reason: o.deadLetter, key: message.key, payload: message.value });
      });
      await deps.deadLetters.send(refused);
      values = next;
      carried = nextMessages;
    }
  };
}

/** Decodes what it can; logs and skips the rest (the dead-letter topic's own consumer). */
function decodeOrLog(messages: BusMessage[], node: ConsumerNode, logger: Logger): Decoded<unknown>[] {
  const good: Decoded<unknown>[] = [];
  for (const message of messages) {
    if (message.value.length === 0) continue; // a tombstone: an erased record
    const result = decodeOne(node.topic.schema, message.value);
    if ('value' in result) good.push({ message, value: result.value });
    else logger.error({ topic: message.topic, offset: message.offset, reason: result.reason, consumer: node.name }, 'undecodable message skipped');
  }
  return good;
}

/** Subscribes the consumer to its topic in its group, batched as configured. */
export function runConsumer(def: ConsumerDefinition, deps: RunnerDeps): Promise<Subscription> {
  return deps.bus.subscribe({
    group: topicName(deps.config, def.node.group),
    topic: topicName(deps.config, def.node.topic.name),
    maxBatch: deps.config.EARSHOT_BATCH_SIZE,
    maxWaitMs: deps.config.EARSHOT_BATCH_WAIT_MS,
    handler: consumerHandler(def, deps),
  });
}
