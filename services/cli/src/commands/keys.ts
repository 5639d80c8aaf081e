import { SCOPES, apiKeysFor, type Scope } from '@earshot/shared';
import { loadConfigOrExit } from '../config.js';
import { UsageError } from '../usage-error.js';

/** earshot keys create --scope S[,S] [--name N] | keys list | keys revoke ID */
export function keysCommand(args: string[], opts: { scope?: string; name?: string }): void {
  const keys = apiKeysFor(loadConfigOrExit(process.env));
  const [action, id] = args;
  if (action === 'create') {
    const scopes = (opts.scope ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length)
      throw new UsageError(`--scope takes ${SCOPES.join(', ')} (comma-separated)${unknown.length ? `; not ${unknown.join(', ')}` : ''}`);
    const made = keys.create(scopes as Scope[], opts.name ?? scopes.join('+'), new Date());
    process.stderr.write(`Created key ${made.id} (${scopes.join(', ')}) in ${keys.path}. It is shown once; send it as "Authorization: Bearer <key>":\n`);
    process.stdout.write(`${made.key}\n`);
    return;
  }
  if (action === 'list') {
    for (const k of keys.all())
      process.stdout.write(
        `${k.id}  ${k.scopes.join(',').padEnd(22)} ${k.name.padEnd(20)} created ${k.created_at}${k.revoked_at ? `  revoked ${k.revoked_at}` : ''}\n`,
      );
    return;
  }
  if (action === 'revoke' && id) {
    if (!keys.revoke(id, new Date())) throw new UsageError(`no active key ${id} in ${keys.path}`);
    process.stderr.write(`Revoked key ${id}; the server refuses it from its next request.\n`);
    return;
  }
  throw new UsageError('usage: earshot keys create --scope read[,write,care,admin] [--name N] | earshot keys list | earshot keys revoke ID');
}
