import { z } from 'zod';
import { credentialsRefused, withTokenRenewal, type HttpClient } from '../http.js';

// https://docs.bsky.app/docs/api/com-atproto-server-create-session and -refresh-session
const Session = z.object({
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
  did: z.string(),
  didDoc: z
    .object({ service: z.array(z.object({ id: z.string(), serviceEndpoint: z.string() })).default([]) })
    .partial()
    .optional(),
});
type Session = z.infer<typeof Session>;

/** When a JWT says it expires (its `exp` claim), or null if it does not say. */
function expiresAt(jwt: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

const TOKEN_ERRORS = /ExpiredToken|InvalidToken/;

/**
 * An app-password session on the account's PDS, as `@atproto/api` keeps one.
 * - `app.bsky.*` calls go to the PDS named in the session's DID document, which proxies
 *   them to the AppView (`atproto-proxy`); the AppView itself accepts only service tokens.
 * - Access tokens live about two hours: refreshed with `refreshSession` before they
 *   expire or when refused (`ExpiredToken`); a new `createSession`, which is rate-limited
 *   per account, only when the refresh token is refused too.
 */
export class AtprotoSession {
  private session: Session | null = null;

  constructor(private readonly o: { entryway: string; identifier: string; password: string; appview: string }) {}

  /** GET an `app.bsky.*` query through the PDS, retrying once on a fresh token if the old one is refused. */
  async query<S extends z.ZodType>(http: HttpClient, now: number, nsid: string, params: URLSearchParams, schema: S): Promise<z.infer<S>> {
    return withTokenRenewal(
      async () => {
        const s = await this.current(http, now);
        return http.json(`${this.pds(s)}/xrpc/${nsid}?${params}`, schema, {
          headers: { authorization: `Bearer ${s.accessJwt}`, 'atproto-proxy': this.o.appview },
        });
      },
      () => this.renew(http),
      TOKEN_ERRORS,
    );
  }

  private pds(s: Session): string {
    const endpoint = s.didDoc?.service?.find((v) => v.id === '#atproto_pds' || v.id.endsWith('#atproto_pds'))?.serviceEndpoint;
    return (endpoint ?? this.o.entryway).replace(/\/$/, '');
  }

  private async current(http: HttpClient, now: number): Promise<Session> {
    if (!this.session) this.session = await this.create(http);
    else if ((expiresAt(this.session.accessJwt) ?? Infinity) - 5 * 60_000 <= now) await this.renew(http);
    return this.session;
  }

  private async renew(http: HttpClient): Promise<void> {
    const s = this.session;
    if (s) {
      try {
        this.session = await http.json(`${this.pds(s)}/xrpc/com.atproto.server.refreshSession`, Session, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.refreshJwt}` },
        });
        return;
      } catch (err) {
        if (!credentialsRefused(err, TOKEN_ERRORS)) throw err;
      }
    }
    this.session = await this.create(http);
  }

  private create(http: HttpClient): Promise<Session> {
    return http.json(`${this.o.entryway.replace(/\/$/, '')}/xrpc/com.atproto.server.createSession`, Session, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: this.o.identifier, password: this.o.password }),
    });
  }
}
