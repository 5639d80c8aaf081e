import type { Bus } from '../bus/types.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { deadLetterTopic, topicMessage } from '../topics/index.js';
import type { DeadLetter } from '../schemas.js';
import { topicName } from '../config.js';
import type { Deps } from '../service.js';

const MAX_PAYLOAD_CHARS = 64 * 1024;

export interface DeadLetterInput {
  origin: string;
  stage: string;
  reason: string;
  key?: string | null;
  payload: Buffer | string;
}

/** Sends bad input to the dead-letter topic with its reason, and counts it. */
export class DeadLetters {
  constructor(private readonly deps: { bus: Bus; clock: Clock; logger: Logger; metrics: Metrics; topicName: string }) {}

  static build(input: DeadLetterInput, at: number): DeadLetter {
    const bytes = typeof input.payload === 'string' ? Buffer.byteLength(input.payload) : input.payload.length;
    // Buffer#toString replaces invalid UTF-8 with U+FFFD, so the payload is always valid JSON text.
    const text = typeof input.payload === 'string' ? input.payload : input.payload.toString('utf8');
    return {
      origin: input.origin,
      stage: input.stage,
      reason: input.reason,
      key: input.key ?? null,
      payload: text.length > MAX_PAYLOAD_CHARS ? text.slice(0, MAX_PAYLOAD_CHARS) : text,
      payload_bytes: bytes,
      at: new Date(at).toISOString(),
    };
  }

  async send(inputs: DeadLetterInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const { bus, clock, logger, metrics, topicName } = this.deps;
    const letters = inputs.map((i) => DeadLetters.build(i, clock.now()));
    for (const l of letters) metrics.deadLetters.inc({ origin: l.origin, stage: l.stage });
    logger.warn({ count: letters.length, origin: letters[0]!.origin, stage: letters[0]!.stage, reason: letters[0]!.reason }, 'sent to dead-letter topic');
    await bus.publish(
      topicName,
      letters.map((l) => topicMessage(deadLetterTopic, l)),
    );
  }
}

/** The dead-letter sender every service uses, on the configured (prefixed) topic. */
export function createDeadLetters({ bus, clock, logger, metrics, config }: Deps): DeadLetters {
  return new DeadLetters({ bus, clock, logger, metrics, topicName: topicName(config, deadLetterTopic.name) });
}
