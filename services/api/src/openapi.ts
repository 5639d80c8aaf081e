import type { Router } from 'express';
import { ALERT_KINDS, INTENT_LABELS, exactRouter } from '@earshot/shared';
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
        summary: 'Ingest mentions: a JSON array (or one object), NDJSON (one mention a line) or CSV (text/csv)',
        parameters: [
          {
            name: 'map',
            in: 'query',
            schema: { type: 'string' },
            description:
              'text/csv only: a CSV exported by another tool, its columns named as FIELD=COLUMN pairs, e.g. id=tweet_id,created_at=tweet_created,brand=brand_name (docs/importing.md); columns named like a field need no pair, other columns are ignored. Without map, timezone or source the standard columns are required',
          },
          {
            name: 'timezone',
            in: 'query',
            schema: { type: 'string', default: 'UTC' },
            description: 'text/csv only: the IANA zone dates written without one are read in (M/D/YYYY H:mm, YYYY-MM-DD HH:mm, D.M.YYYY, …)',
          },
          { name: 'source', in: 'query', schema: { type: 'string' }, description: 'text/csv only: the source of every row, for a file with no source column' },
        ],
        requestBody: { required: true, content: { 'application/json': {}, 'application/x-ndjson': {}, 'text/csv': {} } },
        responses: {
          '202': {
            description:
              'Accepted: {accepted, duplicates, rejected[], rejected_total}; rejected lists the first 100 refused items with index, id and reason (for CSV, the reason starts with its line; a created_at before 2000-01-01 or more than EARSHOT_MAX_FUTURE_SECONDS ahead, a string that is not well-formed Unicode, …), rejected_total counts them all; duplicates counts items repeating the source and id of an earlier one in the body (taken once)',
          },
          '400': {
            description:
              'The body as a whole is unreadable (empty, not JSON), or a CSV whose header does not fit: a column missing for id, text or created_at, a mapped column that is not there, no source column and no source, an unknown time zone',
          },
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
          {
            name: 'story',
            in: 'query',
            schema: { type: 'string', maxLength: 64 },
            description: "one story's mentions (GET /v1/stories), those of the stories merged into it included",
          },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'created_at at or after' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'created_at before' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 5000, default: 100 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
        ],
        responses: {
          '200': {
            description:
              "{items[], count, limit, offset}; an item's story_id is the story it is in now (one it joined that merged into another reads as that one)",
          },
          '400': { description: 'Invalid filter, with the reason' },
        },
      },
    },
    '/v1/mentions.csv': {
      get: {
        summary: 'Every stored mention matching the filters of GET /v1/mentions, as CSV, newest first, streamed (no page size)',
        description:
          "Columns: created_at, source, id, brands, author_handle, author_name, author_followers, text, title, url, lang, sentiment, sentiment_score, intents, journey_stage, likes, shares, replies, views, ingested_at. Brands and intents are joined with ';'. A text cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is written with a leading single quote.",
        parameters: [
          { name: 'brand', in: 'query', schema: { type: 'string' } },
          { name: 'source', in: 'query', schema: { type: 'string' } },
          { name: 'sentiment', in: 'query', schema: { enum: ['negative', 'neutral', 'positive'] } },
          { name: 'intent', in: 'query', schema: { type: 'string' } },
          { name: 'lang', in: 'query', schema: { type: 'string' } },
          { name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 } },
          { name: 'story', in: 'query', schema: { type: 'string', maxLength: 64 } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'created_at at or after' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'created_at before' },
        ],
        responses: {
          '200': { description: 'RFC 4180 CSV with a header row', content: { 'text/csv': { schema: { type: 'string' } } } },
          '400': { description: 'Invalid filter, with the reason' },
        },
      },
    },
    '/v1/digest': {
      get: {
        summary:
          "A brand's day or week against the one before: volume, share of voice, net sentiment with its 95% interval, complaint rate, new words, alerts with detection and acknowledgement times, event verdicts, care response",
        parameters: [
          { name: 'brand', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'period', in: 'query', schema: { enum: ['day', 'week'], default: 'day' } },
          {
            name: 'format',
            in: 'query',
            schema: { enum: ['json', 'html'], default: 'json' },
            description: 'html: a page fit for email (inline styles, no scripts)',
          },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'end of the period; default: now' },
        ],
        responses: {
          '200': {
            description:
              '{brand, period, from, to, previous, volume, share_of_voice, net_sentiment{value, ci95, previous, change}, complaint_rate, new_terms[], alerts{count, acknowledged, detection_minutes_p50, acknowledge_minutes_p50, resolved, resolve_minutes_p50, items[]}, events[{event, verdict}], care}',
            content: { 'application/json': {}, 'text/html': { schema: { type: 'string' } } },
          },
          '400': { description: 'Invalid query, with the reason' },
        },
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
          {
            name: 'intent',
            in: 'query',
            schema: { type: 'string', enum: [...INTENT_LABELS] },
            description: 'also count, in each bucket (`intent`), the mentions carrying this intent',
          },
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
    '/v1/stories': {
      get: {
        summary:
          "A brand's stories (groups of mentions about one thing, found by the classifier as mentions arrive) with mentions in the range, counted by whole hours",
        parameters: [
          { name: 'brand', in: 'query', required: true, schema: { type: 'string' } },
          {
            name: 'from',
            in: 'query',
            schema: { type: 'string', format: 'date-time' },
            description: 'default: 24 hours before `to`; taken from the start of its hour',
          },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'default: now' },
          {
            name: 'sort',
            in: 'query',
            schema: { enum: ['rising', 'volume'], default: 'rising' },
            description: 'rising: most grown against the window as long just before `from` (a new story from zero); volume: most mentioned',
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        ],
        responses: {
          '200': {
            description:
              '{brand, from, to, sort, count, items[{id, brand, label, first_seen, last_seen, mentions, negative, neutral, positive, complaints, complaint_share, previous_mentions, new}]}',
          },
          '400': { description: 'Invalid query (brand missing, bad time, from not before to)' },
        },
      },
    },
    '/v1/stories/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        summary:
          'One story: label, first and last seen, totals, hourly timeline, sources and its first posts still stored, with the stories merged into it; a story that merged into another answers as that one (its id in `id`)',
        responses: {
          '200': {
            description:
              '{id, merged_ids[], brand, label, first_seen, last_seen, totals{mentions, negative, neutral, positive, complaints, complaint_share}, timeline[{hour, mentions, negative, neutral, positive, complaints}], sources[{source, mentions}], posts[{source, id, created_at, text, url, author_handle, sentiment}]}',
          },
          '404': { description: 'no such story' },
        },
      },
    },
    '/v1/brands': {
      get: {
        summary: 'Every stored brand, most mentioned in the last 30 days first, then configured brands with nothing stored yet',
        responses: { '200': { description: '{items[{brand, mentions_30d, mentions, latest}]}; latest: the last stored minute, null when nothing is stored' } },
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
              'Not accepted: the embedded queue cannot write to disk (full), the Kafka brokers cannot be reached, or a lookup the delivery needs (an Instagram @mention, sent as ids) failed at the service; retry after Retry-After (mentions are stored once by source and id)',
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
              '{brand, from, to, total, by_source[], helpdesk (whether hand-off is configured)}; each: conversations, answered, response_rate, complaints, complaints_answered, first_reply_seconds {p50, p90}, replies_per_conversation, outcome {conversations, first_sentiment, last_sentiment, change, improved_share}',
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
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'instead of hours: only items first asked at or after' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'with from: only items first asked before' },
          {
            name: 'sort',
            in: 'query',
            schema: { enum: ['priority', 'oldest', 'reach'], default: 'priority' },
            description: "priority: the author's reach (log of followers) times the log of the waiting time",
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'items to skip (paging)' },
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
        responses: {
          '200': {
            description:
              '{erased[], removed {mentions, complaint_term_hours, handoffs, links, alerts, dead_letters, stories, bus_records (the embedded bus only)}}',
          },
        },
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
            // The schema's own list: a new alert kind is listed here without another edit.
            schema: { enum: [...ALERT_KINDS] },
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': {
            description:
              '{items[], count}; each alert names its incident (incident_id, the id of its first alert); an alert a person acted on carries acknowledged_at/acknowledged_by, resolved_by, assignee/assigned_at',
          },
          '400': { description: 'Invalid query' },
        },
      },
    },
    '/v1/incidents': {
      get: {
        summary:
          'Incidents, newest first, open ones by default: the alerts of one brand that opened while one of them was open (one trouble seen by several detectors), which paged once',
        parameters: [
          { name: 'status', in: 'query', schema: { enum: ['open', 'resolved', 'all'], default: 'open' } },
          { name: 'brand', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': {
            description:
              "{items[{id (its first alert's id), brand, status: open|resolved, severity, severity_score?, headline (the worst alert's summary), opened_at, updated_at, resolved_at?, alerts[] (worst first)}], count}",
          },
          '400': { description: 'Invalid query' },
        },
      },
    },
    '/v1/dead-letters': {
      get: {
        summary: 'What was refused (HTTP, hooks, replay, consumers, ClickHouse) and why: newest first, with a count per origin, stage and reason',
        parameters: [
          { name: 'origin', in: 'query', schema: { type: 'string' }, description: 'e.g. http, replay, earshot.mentions.raw.v1, clickhouse:mentions' },
          { name: 'since', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'ISO 8601; 7 days ago by default' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        ],
        responses: {
          '200': {
            description:
              '{since, items[{at, origin, stage, reason, key, payload_bytes, payload (first 2,000 characters)}], reasons[{origin, stage, reason, count, first_at, last_at}], total}',
          },
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
    '/v1/alerts/{id}/assign': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        summary: 'Assign an alert to someone (the latest assignment holds); it shows on the alert, its timeline and the digest',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['assignee'],
                additionalProperties: false,
                properties: { assignee: { type: 'string', minLength: 1, maxLength: 200 } },
              },
            },
          },
        },
        responses: {
          '200': { description: 'the alert, with assignee and assigned_at' },
          '400': { description: 'Invalid body' },
          '404': { description: 'no such alert' },
        },
      },
    },
    '/v1/alerts/{id}/notes': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        summary: 'Add a note to an alert (what was found, what was done); notes are part of its timeline',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['text'],
                additionalProperties: false,
                properties: { text: { type: 'string', minLength: 1, maxLength: 4000 } },
              },
            },
          },
        },
        responses: {
          '201': { description: '{alert_id, items[]}: the timeline with the note' },
          '400': { description: 'Invalid body' },
          '404': { description: 'no such alert' },
        },
      },
    },
    '/v1/alerts/{id}/timeline': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        summary: 'What happened to an alert, oldest first: opened, updated, acknowledged, notified (the channel), assigned, noted, resolved',
        responses: {
          '200': {
            description:
              '{alert_id, items[{at, event: opened|updated|resolved|acknowledged|assigned|noted|notified, by? (the person), detail? (summary, assignee, note or channel), severity_score?}], count}',
          },
          '404': { description: 'no such alert' },
        },
      },
    },
    '/v1/detection/backfill': {
      post: {
        summary:
          'Run detection over past stream time, minute by minute as the live schedule would have (after importing history): a job, followed with GET /v1/detection/backfill/{id}. Its alerts are stored and published like live ones, page nobody, and a second backfill over the same data stores none twice; the live schedule runs on beside it. One at a time per process',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['from', 'to'],
                additionalProperties: false,
                properties: {
                  from: { type: 'string', format: 'date-time' },
                  to: { type: 'string', format: 'date-time', description: 'at most 31 days after `from`, not in the future' },
                  brands: { type: 'array', items: { type: 'string' }, description: 'only these brands (default: every brand with mentions)' },
                },
              },
            },
          },
        },
        responses: {
          '202': {
            description:
              'Started: the job {id, status: running, from, to, brands?, started_at, progress {minutes_done, minutes_total, stream_time, waiting_for_lead?}, alerts[]}; Location names it',
          },
          '400': { description: 'Invalid range, with the reason' },
          '409': { description: 'A backfill is already running (its id in the reason), or no detector runs in this process' },
        },
      },
    },
    '/v1/detection/backfill/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      get: {
        summary: 'A backfill job: its progress and the newest version of each alert it raised so far',
        responses: {
          '200': { description: '{id, status: running|done|failed, from, to, brands?, started_at, finished_at?, progress, alerts[], error?}' },
          '404': { description: 'No such job in this process (jobs are kept in memory, the last 20)' },
        },
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
  const router = exactRouter();
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  return router;
}
