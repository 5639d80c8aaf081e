import { Router } from 'express';
import { withCommonAnswers } from './openapi-common.js';

/**
 * A hand-kept OpenAPI 3.1 description of the HTTP contract (see ARCHITECTURE's contracts);
 * the answers every route shares (keys, rate limits, unreadable paths and bodies) are
 * added by `withCommonAnswers`. `test/http-fuzz.e2e.test.ts` fails on any answer the
 * document does not declare.
 */
export const openApiDocument = withCommonAnswers({
  openapi: '3.1.0',
  info: {
    title: 'Earshot API',
    version: '1',
    description:
      'Social listening and sentiment stream processor. Once API keys exist, send Authorization: Bearer <key> (401 without, 403 with too narrow a scope). The expensive reads (/v1/stats/*, /v1/care/*, /v1/authors/*, GET /v1/mentions, event impact) answer 429 with Retry-After past EARSHOT_RATE_LIMIT_PER_MINUTE a minute per key.',
  },
  paths: {
    '/v1/mentions': {
      post: {
        summary: 'Ingest mentions: a JSON array (or one object) or NDJSON, one mention a line',
        requestBody: { required: true, content: { 'application/json': {}, 'application/x-ndjson': {} } },
        responses: {
          '202': { description: 'Accepted; body lists each rejected item with index, id and reason: {accepted, rejected[]}' },
          '400': { description: 'The body as a whole is unreadable (empty, not JSON)' },
          '413': { description: 'Body larger than EARSHOT_MAX_BODY_BYTES' },
          '503': {
            description:
              'Not accepted: the embedded queue cannot write to disk (full) or the Kafka brokers cannot be reached; retry after Retry-After (mentions are stored once by source and id)',
          },
        },
      },
      get: {
        summary: 'Stored, enriched mentions, newest first',
        parameters: [
          { name: 'brand', in: 'query', schema: { type: 'string' } },
          { name: 'source', in: 'query', schema: { type: 'string' } },
          { name: 'sentiment', in: 'query', schema: { enum: ['negative', 'neutral', 'positive'] } },
          { name: 'intent', in: 'query', schema: { type: 'string' }, description: 'mentions with this intent (complaint, question, praise, …)' },
          { name: 'lang', in: 'query', schema: { type: 'string' }, description: 'ISO 639 language code' },
          { name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 }, description: 'words the text or title holds, case-insensitively' },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'created_at at or after' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'created_at before' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 5000, default: 100 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: { '200': { description: '{items[], count, limit, offset}' }, '400': { description: 'Invalid filter, with the reason' } },
      },
    },
    '/v1/stats/sentiment': {
      get: {
        summary: 'Per-interval counts, label counts, mean score and net sentiment for one brand',
        parameters: [
          { name: 'brand', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'source', in: 'query', schema: { type: 'string' } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'default: 7 days before `to`' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'default: now' },
          { name: 'interval', in: 'query', schema: { type: 'string', default: '1h' }, description: '5m, 1h, 1d or seconds (at least 1m)' },
        ],
        responses: { '200': { description: '{brand, from, to, interval_seconds, total, buckets[]}' }, '400': { description: 'Invalid query' } },
      },
    },
    '/v1/stats/volume': {
      get: {
        summary: 'Mentions per interval split by brand (share of voice) or by source, with totals, shares and net sentiment per key',
        parameters: [
          { name: 'by', in: 'query', required: true, schema: { enum: ['brand', 'source'] } },
          { name: 'brand', in: 'query', schema: { type: 'string' } },
          { name: 'source', in: 'query', schema: { type: 'string' } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'default: 7 days before `to`' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'default: now' },
          { name: 'interval', in: 'query', schema: { type: 'string', default: '1h' } },
        ],
        responses: {
          '200': {
            description:
              '{by, from, to, interval_seconds, totals[{key, mentions, negative, positive, share, net_sentiment}], buckets[{start, key, mentions, negative, positive}]}',
          },
          '400': { description: 'Invalid query' },
        },
      },
    },
    '/v1/brands': {
      get: {
        summary: 'Brands with mentions in the last 30 days, most mentioned first',
        responses: { '200': { description: '{items[{brand, mentions_30d}]}' } },
      },
    },
    '/v1/hooks/{name}': {
      get: {
        summary: "A service's subscription check for a hook that declares one (Meta: hub.mode=subscribe, hub.verify_token, hub.challenge)",
        parameters: [
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'hub.mode', in: 'query', schema: { type: 'string' } },
          { name: 'hub.verify_token', in: 'query', schema: { type: 'string' } },
          { name: 'hub.challenge', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'the challenge, as text/plain' },
          '403': { description: 'wrong or missing verify token, or the hook takes no subscription check' },
          '404': { description: 'No such hook' },
        },
      },
      post: {
        summary: 'An authenticated hook of the brands file: mentions (or items mapped by its `fields`) pushed by another tool',
        parameters: [
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'Authorization', in: 'header', schema: { type: 'string' }, description: 'Bearer <the secret named by secret_env>' },
          {
            name: 'X-Earshot-Signature',
            in: 'header',
            schema: { type: 'string' },
            description: "sha256=<hex HMAC-SHA256 of '<timestamp>.<body>' with the secret>, instead of Authorization",
          },
          {
            name: 'X-Earshot-Timestamp',
            in: 'header',
            schema: { type: 'string' },
            description: 'unix seconds, signed with the body; deliveries more than 5 minutes from the server clock are refused',
          },
        ],
        requestBody: { required: true, content: { 'application/json': {}, 'application/x-ndjson': {} } },
        responses: {
          '202': { description: '{accepted, rejected[]} as for POST /v1/mentions' },
          '401': { description: 'Missing or wrong secret, or a signature more than 5 minutes old' },
          '404': { description: 'No such hook' },
          '503': {
            description:
              'Not accepted: the embedded queue cannot write to disk (full) or the Kafka brokers cannot be reached; retry after Retry-After (mentions are stored once by source and id)',
          },
        },
      },
    },
    '/v1/stats/care': {
      get: {
        summary: 'Customer care for one brand: response rate, time to first reply, replies per conversation and outcome, overall and per source',
        parameters: [
          { name: 'brand', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'source', in: 'query', schema: { type: 'string' } },
          {
            name: 'from',
            in: 'query',
            schema: { type: 'string', format: 'date-time' },
            description: 'conversations first asked at or after; default 7 days before `to`',
          },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'default: now' },
        ],
        responses: {
          '200': {
            description:
              '{brand, from, to, total, by_source[]}; each: conversations, answered, response_rate, complaints, complaints_answered, first_reply_seconds {p50, p90}, replies_per_conversation, outcome {conversations, first_sentiment, last_sentiment, change, improved_share}',
          },
          '400': { description: 'Invalid query, with the reason' },
        },
      },
    },
    '/v1/care/queue': {
      get: {
        summary: 'Open complaints and questions no brand account has answered, with links',
        parameters: [
          { name: 'brand', in: 'query', schema: { type: 'string' } },
          { name: 'source', in: 'query', schema: { type: 'string' } },
          { name: 'hours', in: 'query', schema: { type: 'number', default: 72, maximum: 2160 }, description: 'only items first asked within this many hours' },
          {
            name: 'sort',
            in: 'query',
            schema: { enum: ['priority', 'oldest', 'reach'], default: 'priority' },
            description: "priority: waiting time weighted by the author's reach",
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': {
            description:
              '{items[{brand, source, conversation_id, asked_at, intent, waiting_minutes, mention {id, url, text, sentiment_score}, author {id, handle, followers}, links {post, author}, handed_off_at?}], count}; items marked handled are left out',
          },
          '400': { description: 'Invalid query, with the reason' },
        },
      },
    },
    '/v1/care/queue/{brand}/{source}/{conversation}/handoff': {
      parameters: ['brand', 'source', 'conversation'].map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      post: {
        summary: 'Hand one unanswered item to the helpdesk (EARSHOT_CARE_WEBHOOK_URL) now; never twice',
        responses: {
          '201': { description: "{status: 'handed_off', item}" },
          '200': { description: "{status: 'already_handed_off', item}: it went before, nothing was sent" },
          '404': { description: 'not in the care queue (answered, handled, or unknown)' },
          '409': { description: 'no helpdesk configured' },
          '502': { description: 'the helpdesk did not accept it after retries' },
        },
      },
    },
    '/v1/care/queue/{brand}/{source}/{conversation}/handled': {
      parameters: ['brand', 'source', 'conversation'].map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      post: {
        summary: 'Take an item out of the care queue: a person dealt with it',
        responses: { '200': { description: "{status: 'handled', item}" }, '404': { description: 'not in the care queue' } },
      },
    },
    '/v1/authors/{source}/{id}': {
      get: {
        summary: "One customer's mentions across their linked identities, newest first, with a daily sentiment trajectory and open issues",
        parameters: [
          { name: 'source', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: '{author, identities[], mentions[], trajectory[{day, mentions, mean_score, negative, sources}], open_issues[]}' },
          '404': { description: 'No mentions by this author' },
        },
      },
      delete: {
        summary: 'Erase the author (and the identities linked to them) everywhere Earshot keeps their data; later arrivals are dropped',
        parameters: [
          { name: 'source', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: '{erased[], removed {mentions, complaint_term_hours, handoffs, links, alerts, dead_letters}}' } },
      },
    },
    '/v1/authors/{source}/{id}/links': {
      parameters: [
        { name: 'source', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      ],
      put: {
        summary: 'Link other identities of the same customer (e.g. their Trustpilot account to their X account)',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { links: { type: 'array', items: { type: 'object', properties: { source: { type: 'string' }, id: { type: 'string' } } } } },
              },
            },
          },
        },
        responses: { '200': { description: '{identities[]}' }, '400': { description: 'Invalid body' } },
      },
    },
    '/v1/alerts': {
      get: {
        summary: 'Alerts (newest version of each), open ones by default',
        parameters: [
          { name: 'status', in: 'query', schema: { enum: ['open', 'resolved', 'all'], default: 'open' } },
          { name: 'brand', in: 'query', schema: { type: 'string' } },
          {
            name: 'kind',
            in: 'query',
            schema: { enum: ['negative_volume_surge', 'net_sentiment_drop', 'complaint_surge', 'viral_negative', 'source_silent', 'care'] },
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': { description: '{items[], count}; an alert a person acted on carries acknowledged_at/acknowledged_by, resolved_by' },
          '400': { description: 'Invalid query' },
        },
      },
    },
    '/v1/alerts/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        summary: 'One alert, its newest version with what people did to it',
        responses: { '200': { description: 'the alert' }, '404': { description: 'no such alert' } },
      },
    },
    '/v1/alerts/{id}/acknowledge': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        summary: 'Acknowledge an alert (someone is on it); the detector keeps updating it',
        responses: { '200': { description: 'the alert' }, '404': { description: 'no such alert' }, '409': { description: 'already resolved' } },
      },
    },
    '/v1/alerts/{id}/resolve': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        summary: 'Resolve an alert by hand; a later detector version (the anomaly went on) opens it again',
        responses: { '200': { description: 'the alert, resolved' }, '404': { description: 'no such alert' }, '409': { description: 'already resolved' } },
      },
    },
    '/v1/events/import': {
      post: {
        summary:
          'Import events from a CSV (header: title, starts_at, and optionally brand, kind, ends_at, id, description, channels, tags, url) or iCalendar body',
        parameters: [
          { name: 'brand', in: 'query', schema: { type: 'string' }, description: 'for records without one' },
          { name: 'kind', in: 'query', schema: { type: 'string' }, description: 'for records without one' },
        ],
        requestBody: { required: true, content: { 'text/csv': {}, 'text/calendar': {} } },
        responses: {
          '202': { description: '{format, imported, events[], rejected[{record, reason}]}' },
          '400': { description: 'nothing importable, with the reasons' },
        },
      },
    },
    '/v1/events': {
      post: {
        summary: 'Create events (one or an array); 202, stored through earshot.events.v1',
        requestBody: { required: true, content: { 'application/json': {} } },
        responses: { '202': { description: '{items[]} with their ids' }, '400': { description: 'Invalid event, with the reason' } },
      },
      get: {
        summary: 'Events, newest first',
        parameters: ['brand', 'kind', 'from', 'to', 'limit'].map((name) => ({ name, in: 'query', schema: { type: name === 'limit' ? 'integer' : 'string' } })),
        responses: { '200': { description: '{items[], count}' }, '400': { description: 'Invalid query, with the reason (a time outside 1970–2105, say)' } },
      },
    },
    '/v1/events/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: { summary: 'One event', responses: { '200': { description: 'the event' }, '404': { description: 'no such event' } } },
      patch: {
        summary: 'Change fields of an event',
        requestBody: { required: true, content: { 'application/json': {} } },
        responses: { '200': { description: 'the event as changed' }, '400': { description: 'invalid' }, '404': { description: 'no such event' } },
      },
      delete: { summary: 'Delete an event', responses: { '204': { description: 'deleted' }, '404': { description: 'no such event' } } },
    },
    '/v1/events/{id}/impact': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        summary: 'Before/after comparison: volume, share of voice, net sentiment, complaint rate, new terms, verdict',
        parameters: [
          { name: 'before', in: 'query', schema: { type: 'string', default: '24h' } },
          { name: 'after', in: 'query', schema: { type: 'string' }, description: "default: the event's length, at least 1h" },
        ],
        responses: { '200': { description: 'impact report' }, '404': { description: 'no such event' } },
      },
    },
    '/': {
      get: {
        summary: 'The web console (HTML); its assets under /console/',
        responses: { '200': { description: 'text/html' }, '503': { description: 'the console was not built' } },
      },
    },
    '/healthz': {
      get: { summary: 'Liveness and consumer-loop health', responses: { '200': { description: 'ok' }, '503': { description: 'a consumer is stalled' } } },
    },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } } },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
  },
} as const);

export function createOpenApiRouter(): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  return router;
}
