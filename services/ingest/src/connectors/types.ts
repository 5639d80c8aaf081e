import type { Clock, EngagementUpdate, Logger, Mention } from '@earshot/shared';
import type { HttpClient } from './http.js';

/** Opaque per-connector progress (cursor, since-id, last timestamp…), stored as JSON. */
export type Cursor = Record<string, unknown>;

/** An item the source sent that could not be turned into a mention; it goes to the dead-letter topic. */
export interface Unusable {
  reason: string;
  payload: unknown;
}

/** What one poll, or one burst of a stream, produced. */
export interface Harvest {
  mentions: Mention[];
  unusable: Unusable[];
  /** Where to resume from once these mentions are published. */
  cursor: Cursor;
  /** What the user should know though the poll succeeded (a gap the source can no longer fill, say); shown in health. */
  notices?: string[];
}

/** A mention the runner ingested recently, kept so its engagement can be refreshed. */
export interface RecentMention {
  id: string;
  created_at: number;
  /** Seen but not published (it matched no brand, or was rejected): only kept to drop repeats. */
  dropped?: true;
}

export interface ConnectorContext {
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /** Whether a mention matches any brand query; firehose sources filter with it before handing over. */
  matches(mention: Mention): boolean;
}

interface ConnectorBase {
  /** The Mention `source` this connector produces. */
  readonly source: string;
  /**
   * Fresh engagement for mentions it produced earlier; optional, and only for sources
   * whose API can look posts up by id.
   */
  refresh?(mentions: RecentMention[], ctx: ConnectorContext): Promise<EngagementUpdate[]>;
}

/** Asked on a schedule for everything new since its cursor. */
export interface PollConnector extends ConnectorBase {
  readonly kind: 'poll';
  poll(cursor: Cursor, ctx: ConnectorContext): Promise<Harvest>;
}

/**
 * Holds a connection open and hands over what arrives. `run` resolves or throws when the
 * connection ends; the runner reconnects with back-off from the last published cursor.
 * `onConnected` is called once the source has accepted the connection.
 */
export interface StreamConnector extends ConnectorBase {
  readonly kind: 'stream';
  run(cursor: Cursor, ctx: ConnectorContext & { emit(h: Harvest): Promise<void>; onConnected(): void; signal: AbortSignal }): Promise<void>;
}

/**
 * Receives pushes: `POST /v1/hooks/<name>`, authenticated with the shared secret as a
 * bearer token or as an HMAC-SHA256 signature of the body; `read` turns the JSON body
 * into mentions.
 */
export interface WebhookConnector extends ConnectorBase {
  readonly kind: 'webhook';
  readonly name: string;
  readonly secret: string;
  /**
   * The service's own signing scheme: the header carrying "sha256=<hex HMAC-SHA256 of the
   * body>" under `secret`, with bearer tokens refused. Absent: Earshot's scheme
   * (`X-Earshot-Signature` over timestamp and body, or the secret as a bearer token).
   */
  readonly signedWith?: string;
  /** Status of an accepted delivery, where the service asks for one (Meta: 200); 202 otherwise. */
  readonly okStatus?: number;
  /** Answers the service's subscription check (`GET /v1/hooks/<name>?…`): the body to echo, or null to refuse. */
  verify?(query: URLSearchParams): string | null;
  /**
   * `ctx` is for hooks whose service sends only ids to look up (Instagram @mentions); a
   * lookup the service cannot answer for now throws, and the delivery is refused with a
   * 503 so that the service sends it again.
   */
  read(body: unknown, now: number, ctx: { http: HttpClient; clock: Clock }): Harvest | Promise<Harvest>;
}

export type Connector = PollConnector | StreamConnector | WebhookConnector;
