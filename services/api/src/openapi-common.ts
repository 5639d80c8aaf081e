import { isExpensive, scopeFor } from '@earshot/shared';

/** Where the API keys' guard leaves a path open by default (EARSHOT_OPEN_PATHS). */
const DEFAULT_OPEN_PATHS = ['/healthz', '/metrics', '/openapi.json'];

const ERROR_BODY = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

const COMPONENTS = {
  schemas: {
    Error: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'string', minLength: 1, description: 'why the request was refused, in words' } },
    },
  },
  securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an Earshot API key (earshot keys create --scope …)' } },
  responses: {
    BadPath: { description: 'A path segment is not valid percent-encoding, or not a valid value', content: ERROR_BODY },
    NoRoute: { description: 'Nothing here (an empty path segment matches no route)', content: ERROR_BODY },
    BadBody: { description: 'The body cannot be read (empty, not JSON, invalid UTF-8)', content: ERROR_BODY },
    TooLarge: { description: 'The body is larger than this route accepts', content: ERROR_BODY },
    Unauthorized: { description: 'Keys exist and no valid API key was sent (Authorization: Bearer <key>)', content: ERROR_BODY },
    Forbidden: { description: "The key's scopes do not include the one this operation needs (x-earshot-scope)", content: ERROR_BODY },
    TooManyRequests: { description: 'Over EARSHOT_RATE_LIMIT_PER_MINUTE for this key; retry after Retry-After', content: ERROR_BODY },
  },
} as const;

type Response = { description?: string; content?: unknown; $ref?: string };
type Operation = { responses: Record<string, Response>; requestBody?: unknown; parameters?: readonly { in: string }[]; security?: unknown };
type PathItem = Record<string, Operation | readonly { in: string }[]>;

const ref = (name: keyof typeof COMPONENTS.responses): Response => ({ $ref: `#/components/responses/${name}` });

/**
 * Adds to every operation the answers that come from the mechanisms around the routes
 * rather than from the route itself, derived from those mechanisms' own rules so the
 * document cannot drift from them: 401/403 and the scope from `scopeFor` (the keys'
 * guard), 429 from `isExpensive` (the rate limit), 400 and 404 for a path that cannot be
 * decoded or matched, 400 and 413 for a body; and gives every error answer its body, `{error}`.
 */
export function withCommonAnswers<D extends { paths: Record<string, unknown> }>(doc: D): D & { components: typeof COMPONENTS } {
  const paths: Record<string, PathItem> = {};
  for (const [path, rawItem] of Object.entries(doc.paths as Record<string, PathItem>)) {
    const item: PathItem = {};
    const concrete = path.replace(/\{\w+\}/g, 'x');
    for (const [method, value] of Object.entries(rawItem)) {
      if (method === 'parameters') {
        item[method] = value;
        continue;
      }
      const op = value as Operation;
      const params = [...((rawItem.parameters as readonly { in: string }[] | undefined) ?? []), ...(op.parameters ?? [])];
      const responses: Record<string, Response> = {};
      for (const [status, r] of Object.entries(op.responses)) responses[status] = Number(status) >= 400 && !r.content ? { ...r, content: ERROR_BODY } : r;
      const add = (status: string, r: Response) => (responses[status] ??= r);
      if (params.some((p) => p.in === 'path')) {
        add('400', ref('BadPath'));
        add('404', ref('NoRoute'));
      }
      if (op.requestBody) {
        add('400', ref('BadBody'));
        add('413', ref('TooLarge'));
      }
      const scope = scopeFor(method.toUpperCase(), concrete, DEFAULT_OPEN_PATHS);
      const extra: Record<string, unknown> = {};
      if (scope !== 'open' && scope !== null) {
        add('401', ref('Unauthorized'));
        add('403', ref('Forbidden'));
        extra.security = [{ apiKey: [] }];
        extra['x-earshot-scope'] = scope;
      } else if (scope === 'open') extra.security = [];
      if (isExpensive(method.toUpperCase(), concrete)) add('429', ref('TooManyRequests'));
      item[method] = { ...op, ...extra, responses };
    }
    paths[path] = item;
  }
  return { ...doc, paths, components: COMPONENTS };
}
