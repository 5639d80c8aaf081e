import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * What a key may do: `read` (GET routes), `write` (mentions, events), `care` (care
 * actions), `admin` (erasure, identity links, and everything else).
 */
export const SCOPES = ['read', 'write', 'care', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const StoredKey = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  /** sha256 of the secret part: keys are random, so a plain hash is enough to keep them unreadable at rest. */
  hash: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable().default(null),
});
export type StoredKey = z.infer<typeof StoredKey>;
const KeysFile = z.object({ keys: z.array(StoredKey) });

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');
const KEY = /^esk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * API keys, hashed at rest in one JSON file (by default EARSHOT_DATA_DIR/api-keys.json),
 * so `earshot keys` can manage them while the server runs: the server reads the file
 * again when it changes.
 */
export class ApiKeys {
  private cache: { mtimeMs: number; keys: StoredKey[] } | null = null;

  constructor(readonly path: string) {}

  /** A new key: the whole key is shown once, only its hash is kept. */
  create(scopes: Scope[], name: string, now: Date): { id: string; key: string } {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    this.save([...this.all(), { id, name, scopes, hash: hashOf(secret), created_at: now.toISOString(), revoked_at: null }]);
    return { id, key: `esk_${id}_${secret}` };
  }

  revoke(id: string, now: Date): boolean {
    const keys = this.all();
    const key = keys.find((k) => k.id === id && !k.revoked_at);
    if (!key) return false;
    key.revoked_at = now.toISOString();
    this.save(keys);
    return true;
  }

  all(): StoredKey[] {
    if (!existsSync(this.path)) return [];
    const mtimeMs = statSync(this.path).mtimeMs;
    if (this.cache?.mtimeMs !== mtimeMs) this.cache = { mtimeMs, keys: KeysFile.parse(JSON.parse(readFileSync(this.path, 'utf8'))).keys };
    return this.cache.keys.map((k) => ({ ...k }));
  }

  /** Whether any key can be used: with none, a server on a loopback address stays open. */
  any(): boolean {
    return this.all().some((k) => !k.revoked_at);
  }

  /** The key a bearer token names, if it is one of ours and not revoked; compared in constant time. */
  verify(token: string): StoredKey | null {
    const m = KEY.exec(token);
    if (!m) return null;
    const key = this.all().find((k) => k.id === m[1] && !k.revoked_at);
    if (!key) return null;
    const a = Buffer.from(hashOf(m[2]!), 'hex');
    const b = Buffer.from(key.hash, 'hex');
    return a.length === b.length && timingSafeEqual(a, b) ? key : null;
  }

  private save(keys: StoredKey[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(`${this.path}.tmp`, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
    renameSync(`${this.path}.tmp`, this.path);
    this.cache = null;
  }
}

/** The key file the server reads and `earshot keys` writes: EARSHOT_KEYS_FILE, or api-keys.json in the data directory. */
export const apiKeysFor = (config: { EARSHOT_KEYS_FILE?: string; EARSHOT_DATA_DIR: string }) =>
  new ApiKeys(config.EARSHOT_KEYS_FILE ?? join(config.EARSHOT_DATA_DIR, 'api-keys.json'));
