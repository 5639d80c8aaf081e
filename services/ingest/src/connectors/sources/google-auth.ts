import { z } from 'zod';
import { requireEnv } from '../define.js';
import type { HttpClient } from '../http.js';

const TokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number() });

/**
 * OAuth for Google APIs from a long-lived refresh token (installed-app or web flow done
 * once by the operator): access tokens are fetched when needed and reused until a minute
 * before they expire.
 */
export function googleAccessToken(
  env: (n: string) => string | undefined,
  o: { client_id_env: string; client_secret_env: string; refresh_token_env: string; token_url: string },
) {
  let token: { value: string; until: number } | null = null;
  return async (http: HttpClient, now: number): Promise<string> => {
    if (token && now < token.until) return token.value;
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: requireEnv(env, o.client_id_env),
      client_secret: requireEnv(env, o.client_secret_env),
      refresh_token: requireEnv(env, o.refresh_token_env),
    });
    const t = await http.json(o.token_url, TokenAnswer, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    token = { value: t.access_token, until: now + Math.max(0, t.expires_in - 60) * 1000 };
    return token.value;
  };
}
