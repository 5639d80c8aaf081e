import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.js';

type Param = { name: string; in: string };
type PathItem = { parameters?: Param[] } & Record<string, { parameters?: Param[] } | Param[] | undefined>;

// Issue #18.8: five operations with `{…}` in their path declared no path parameters, so
// clients generated from the document could not call them.
describe('the OpenAPI document', () => {
  const paths = Object.entries(openApiDocument.paths as unknown as Record<string, PathItem>);
  it.each(
    paths.flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== 'parameters')
        .map((method) => [`${method.toUpperCase()} ${path}`, path, item, method] as const),
    ),
  )('%s declares every parameter of its path', (_label, path, item, method) => {
    const op = item[method] as { parameters?: Param[] };
    const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])]
      .filter((p) => p.in === 'path')
      .map((p) => p.name)
      .sort();
    const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
    expect(declared).toEqual(inPath);
  });
});

// Issue #18.8: answers given by the mechanisms around the routes (keys, rate limit) were
// missing from every operation; they are now derived from those mechanisms' own rules.
describe('the answers every route shares', () => {
  const ops = Object.entries(openApiDocument.paths as unknown as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([k]) => k !== 'parameters')
      .map(([method, op]) => ({ path, method, op: op as { responses: Record<string, unknown>; 'x-earshot-scope'?: string; security?: unknown[] } })),
  );
  const find = (method: string, path: string) => ops.find((o) => o.method === method && o.path === path)!.op;

  it('names the scope the keys guard asks for, with 401 and 403', () => {
    expect(find('delete', '/v1/authors/{source}/{id}')['x-earshot-scope']).toBe('admin');
    expect(find('post', '/v1/care/queue/{brand}/{source}/{conversation}/handled')['x-earshot-scope']).toBe('care');
    expect(find('post', '/v1/events')['x-earshot-scope']).toBe('write');
    expect(find('get', '/v1/alerts')['x-earshot-scope']).toBe('read');
    for (const o of ops.filter((x) => x.op['x-earshot-scope'])) expect(Object.keys(o.op.responses)).toEqual(expect.arrayContaining(['401', '403']));
  });

  it('leaves health, metrics, the document, the console and the hooks to their own rules', () => {
    for (const path of ['/healthz', '/metrics', '/openapi.json', '/']) {
      expect(find('get', path).security).toEqual([]);
      expect(find('get', path).responses['401']).toBeUndefined();
    }
    expect(find('post', '/v1/hooks/{name}')['x-earshot-scope']).toBeUndefined();
  });

  it('declares 429 exactly on the rate-limited reads, and an {error} body on every error', () => {
    const limited = ops.filter((o) => '429' in o.op.responses).map((o) => `${o.method} ${o.path}`);
    expect(limited).toEqual(
      expect.arrayContaining([
        'get /v1/mentions',
        'get /v1/stats/sentiment',
        'get /v1/care/queue',
        'get /v1/authors/{source}/{id}',
        'get /v1/events/{id}/impact',
      ]),
    );
    expect(limited).not.toContain('get /v1/alerts');
    expect(limited).not.toContain('post /v1/mentions');
    for (const o of ops)
      for (const [status, r] of Object.entries(o.op.responses))
        if (Number(status) >= 400) expect(r, `${o.method} ${o.path} ${status}`).toSatisfy((x: { $ref?: string; content?: unknown }) => !!x.$ref || !!x.content);
  });
});
