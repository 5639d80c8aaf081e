import { expect } from 'vitest';
import { openApiDocument } from '@earshot/api';

type Operation = { responses: Record<string, unknown> };
const PATHS = openApiDocument.paths as unknown as Record<string, Record<string, Operation | unknown[]>>;

/** The document's path template for a request path: a literal path first, then one with `{…}`. */
export function templateOf(path: string): string | undefined {
  const bare = path.split('?')[0]!;
  if (PATHS[bare]) return bare;
  return Object.keys(PATHS).find((t) => t.includes('{') && new RegExp(`^${t.replace(/\{\w+\}/g, '[^/]*')}$`).test(bare));
}

/** The statuses the OpenAPI document declares for an operation. */
export function declaredStatuses(method: string, path: string): string[] {
  const template = templateOf(path);
  const op = template ? (PATHS[template]![method.toLowerCase()] as Operation | undefined) : undefined;
  return op ? Object.keys(op.responses) : [];
}

/** Fails when an answer is one the OpenAPI document does not declare for its operation (issue #18.8). */
export function expectDeclared(method: string, path: string, status: number, what = `${method} ${path} → ${status}`): void {
  expect(declaredStatuses(method, path), `undeclared answer: ${what}`).toContain(String(status));
}
