import type { z } from 'zod';
import type { BusMessage } from '../bus/types.js';
import { describeZodError } from '../schemas.js';
import type { DeadLetterInput, DeadLetters } from './dead-letters.js';

export interface Decoded<T> {
  message: BusMessage;
  value: T;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a message cannot be used, or null when it decodes and validates. */
export function decodeOne<S extends z.ZodType>(schema: S, raw: Buffer): { value: z.infer<S> } | { reason: string } {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { reason: 'payload is not valid UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { reason: `payload is not JSON: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { value: parsed.data } : { reason: describeZodError(parsed.error) };
}

/**
 * The first stage of every consumer: decode and validate each message against its
 * topic's schema. Bad ones go to the dead-letter topic with the reason; the rest go on.
 * A message the in-process bus carries with its publisher's value, valid against this
 * same schema, is not decoded again.
 */
export async function decodeBatch<S extends z.ZodType>(
  messages: BusMessage[],
  schema: S,
  deadLetters: DeadLetters,
  stage: string,
): Promise<Decoded<z.infer<S>>[]> {
  const good: Decoded<z.infer<S>>[] = [];
  const bad: DeadLetterInput[] = [];
  for (const message of messages) {
    // A tombstone (an erased record, or Kafka's null value) carries nothing to decode.
    if (message.value.length === 0) continue;
    // Validated against this schema by its publisher in this process: taken as is.
    if (message.decoded?.schema === schema) {
      good.push({ message, value: message.decoded.value as z.infer<S> });
      continue;
    }
    const result = decodeOne(schema, message.value);
    if ('value' in result) good.push({ message, value: result.value });
    else bad.push({ origin: message.topic, stage, reason: result.reason, key: message.key, payload: message.value });
  }
  await deadLetters.send(bad);
  return good;
}
