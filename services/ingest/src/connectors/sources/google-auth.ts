import { z } from 'zod';
import { requireEnv } from '../define.js';
import { HttpError, withTokenRenewal, type HttpClient } from '../http.js';

const TokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number() });

/**
 * OAuth for Google APIs from a long-lived refresh token (installed-app or web flow done
 * once by the operator): access tokens are fetched when needed and reused until a minute
 * before they expire, or until an API refuses one (401), which is then fetched again once.
 * A refresh token Google no longer accepts (`invalid_grant`) is an error saying what to do.
 */
export function googleApi(
  env: (n: string) => string | undefined,
  o: { client_id_env: string; client_secret_env: string; refresh_token_env: string; token_url: string },
) {
  let token: { value: string; until: number } | null = null;
  const accessToken = async (http: HttpClient, now: number): Promise<string> => {
    if (token && now < token.until) return token.value;
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: requireEnv(env, o.client_id_env),
      client_secret: requireEnv(env, o.client_secret_env),
      refresh_token: requireEnv(env, o.refresh_token_env),
    });
    try {
      const t = await http.json(o.token_url, TokenAnswer, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
      token = { value: t.access_token, until: now + Math.max(0, t.expires_in - 60) * 1000 };
      return token.value;
    } catch (err) {
      // https://developers.google.com/identity/protocols/oauth2#expiration
      if (err instanceof HttpError && err.status === 400 && /invalid_grant/.test(err.body))
        throw new Error(
          `Google refused the refresh token in ${o.refresh_token_env} (invalid_grant): it was revoked, unused for six months, or issued to an app in "Testing" status (those expire after 7 days); run the consent flow again and set the new token`,
        );
      throw err;
    }
  };
  return {
    json: <S extends z.ZodType>(http: HttpClient, now: number, url: string, schema: S): Promise<z.infer<S>> =>
      withTokenRenewal(
        async () => http.json(url, schema, { headers: { authorization: `Bearer ${await accessToken(http, now)}` } }),
        () => void (token = null),
      ),
  };
}
