import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * A private key from configuration: PEM text, as pasted into an environment variable
 * (escaped "\n" line breaks are accepted), with a clear error when it is not one.
 */
export function privateKeyFrom(pem: string, what: string): KeyObject {
  try {
    return createPrivateKey(pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem);
  } catch (err) {
    throw new Error(`${what} is not a PEM private key (${(err as Error).message}); paste the whole file, BEGIN and END lines included`);
  }
}

/**
 * A signed JSON Web Token (RFC 7519): ES256 for Apple's App Store Connect keys (the
 * signature as r‖s, RFC 7518 §3.4), RS256 for Google service accounts.
 */
export function signJwt(alg: 'ES256' | 'RS256', key: KeyObject, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT', ...header }))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${b64url(signature)}`;
}
