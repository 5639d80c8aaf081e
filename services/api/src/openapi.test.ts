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
