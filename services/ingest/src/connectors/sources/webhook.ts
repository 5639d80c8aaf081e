import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import type { Unusable } from '../types.js';
import { scalarText } from '../text.js';

/** Reads "a.b.0.c" out of a JSON value. */
function pick(value: unknown, path: string): unknown {
  let v = value;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

const MAPPABLE = [
  'id',
  'text',
  'created_at',
  'title',
  'url',
  'lang',
  'in_reply_to',
  'rating',
  'author.id',
  'author.handle',
  'author.name',
  'author.followers',
  'engagement.likes',
  'engagement.shares',
  'engagement.replies',
  'engagement.views',
] as const;

/** Builds a mention from `fields` (mention field → path in the pushed item); the ingestor validates the result. */
function mapItem(item: unknown, fields: Record<string, string>, source: string): unknown {
  const out: Record<string, unknown> = { source, author: {} };
  for (const [field, path] of Object.entries(fields)) {
    let v = pick(item, path);
    if (v === undefined || v === null) continue;
    // Ids become text; an object stays as it is, for the schema to refuse with a reason.
    if ((field === 'id' || field.startsWith('author.id') || field === 'in_reply_to') && typeof v !== 'object') v = scalarText(v);
    if (field === 'created_at' && (typeof v === 'number' || typeof v === 'string')) {
      const t = typeof v === 'number' ? (v < 1e12 ? v * 1000 : v) : Date.parse(v);
      v = Number.isFinite(t) ? new Date(t).toISOString() : v;
    }
    const [head, tail] = field.split('.') as [string, string | undefined];
    if (tail) out[head] = { ...(out[head] ?? {}), [tail]: v };
    else out[head] = v;
  }
  const author = out.author as Record<string, unknown>;
  if (author.id !== undefined && author.handle === undefined) author.handle = author.id;
  return out;
}

export const webhook = defineSource({
  type: 'webhook',
  source: 'webhook',
  summary:
    'Any tool that can POST JSON: `POST /v1/hooks/<name>` with the shared secret (bearer token, or `X-Earshot-Signature: sha256=<HMAC of "<timestamp>.<body>">` with `X-Earshot-Timestamp`), in the Mention shape or mapped with `fields`.',
  options: z.object({
    type: z.literal('webhook'),
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _'),
    secret_env: z.string().min(1),
    /** The Mention `source` of what arrives (defaults to the hook name). */
    source_name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/)
      .optional(),
    /** Where the list of items is in the body (e.g. "data.items"); the body itself when absent. */
    items_path: z.string().min(1).optional(),
    /** Mention field → dotted path in each pushed item; without it items must already be mentions. */
    fields: z.partialRecord(z.enum(MAPPABLE), z.string().min(1)).optional(),
  }),
  secrets: (o) => [o.secret_env],
  owned: false,
  defaultSchedule: '* * * * *',
  create(o, { env }) {
    const source = o.source_name ?? o.name;
    return {
      kind: 'webhook',
      source,
      name: o.name,
      secret: requireEnv(env, o.secret_env),
      read(body) {
        const mentions: Mention[] = [];
        const unusable: Unusable[] = [];
        const items: unknown[] = [];
        // The body is a JSON value, or several (NDJSON or an array of pushes).
        for (const push of o.items_path && Array.isArray(body) ? body : [body]) {
          const list = o.items_path ? pick(push, o.items_path) : push;
          if (list === undefined) unusable.push({ reason: `body has nothing at ${o.items_path}`, payload: push });
          else items.push(...(Array.isArray(list) ? list : [list]));
        }
        for (const item of items) {
          if (item === null || typeof item !== 'object') {
            unusable.push({ reason: 'pushed item is not a JSON object', payload: item });
            continue;
          }
          mentions.push((o.fields ? mapItem(item, o.fields, source) : { source, ...item }) as Mention);
        }
        return { mentions, unusable, cursor: {} };
      },
    };
  },
});
