import { z } from 'zod';
import { requireEnv } from '../define.js';
import { HttpError, TokenCache, withTokenRenewal, type HttpClient } from '../http.js';
import { privateKeyFrom, signJwt } from '../jwt.js';

export const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const TokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number() });
const ServiceAccountKey = z.object({
  type: z.literal('service_account'),
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  token_uri: z.url().optional(),
});

/**
 * A service account's key file (the JSON Google Cloud hands out), read from an environment
 * variable, with an error that says what is wrong with it.
 */
function serviceAccount(env: (n: string) => string | undefined, name: string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(requireEnv(env, name));
  } catch (err) {
    throw new Error(`${name} is not a service account key file (JSON): ${(err as Error).message}`);
  }
  const key = ServiceAccountKey.safeParse(parsed);
  if (!key.success) throw new Error(`${name} is not a service account key file: ${key.error.issues[0]?.path.join('.')}: ${key.error.issues[0]?.message}`);
  return { ...key.data, signingKey: privateKeyFrom(key.data.private_key, `${name}.private_key`) };
}

/**
 * The token request: a refresh-token grant, or for a service account a JWT bearer grant
 * (RFC 7523) signed with its key (https://developers.google.com/identity/protocols/oauth2/service-account#httprest).
 */
function tokenRequest(
  env: (n: string) => string | undefined,
  o: { client_id_env: string; client_secret_env: string; refresh_token_env: string; token_url: string; service_account_env?: string; scope?: string },
): (now: number) => { url: string; body: URLSearchParams; credential: string } {
  if (o.service_account_env) {
    const sa = serviceAccount(env, o.service_account_env);
    // Tests and proxies point token_url elsewhere; the key file's own token_uri otherwise.
    const url = o.token_url !== DEFAULT_TOKEN_URL ? o.token_url : (sa.token_uri ?? DEFAULT_TOKEN_URL);
    return (now) => {
      const iat = Math.floor(now / 1000);
      const assertion = signJwt('RS256', sa.signingKey, { iss: sa.client_email, scope: o.scope, aud: url, iat, exp: iat + 3600 });
      return {
        url,
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
        credential: `the service account key in ${o.service_account_env}`,
      };
    };
  }
  return () => ({
    url: o.token_url,
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: requireEnv(env, o.client_id_env),
      client_secret: requireEnv(env, o.client_secret_env),
      refresh_token: requireEnv(env, o.refresh_token_env),
    }),
    credential: `the refresh token in ${o.refresh_token_env}`,
  });
}

/**
 * OAuth for Google APIs from a long-lived refresh token (installed-app or web flow done
 * once by the operator) or a service account key where the API allows one: access tokens are fetched when needed and reused until a minute
 * before they expire, or until an API refuses one (401), which is then fetched again once.
 * A refresh token Google no longer accepts (`invalid_grant`) is an error saying what to do.
 */
export function googleApi(
  env: (n: string) => string | undefined,
  o: { client_id_env: string; client_secret_env: string; refresh_token_env: string; token_url: string; service_account_env?: string; scope?: string },
) {
  const token = new TokenCache();
  const request = tokenRequest(env, o);
  const accessToken = async (http: HttpClient, now: number): Promise<string> => {
    let credential = '';
    try {
      return await token.get(now, () => {
        // Built only when a token is needed: a service account's request is a signed JWT.
        const r = request(now);
        credential = r.credential;
        return http.json(r.url, TokenAnswer, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: r.body.toString() });
      });
    } catch (err) {
      // https://developers.google.com/identity/protocols/oauth2#expiration
      if (err instanceof HttpError && err.status === 400 && /invalid_grant/.test(err.body))
        throw new Error(
          o.service_account_env
            ? `Google refused ${credential} (invalid_grant: ${/"error_description"\s*:\s*"([^"]*)"/.exec(err.body)?.[1] ?? 'no description'}): the key was deleted or disabled, or this machine's clock is off; make a new key for the service account`
            : `Google refused ${credential} (invalid_grant): it was revoked, unused for six months, or issued to an app in "Testing" status (those expire after 7 days); run the consent flow again and set the new token`,
        );
      throw err;
    }
  };
  return {
    json: <S extends z.ZodType>(http: HttpClient, now: number, url: string, schema: S): Promise<z.infer<S>> =>
      withTokenRenewal(
        async () => http.json(url, schema, { headers: { authorization: `Bearer ${await accessToken(http, now)}` } }),
        () => token.drop(),
      ),
  };
}
