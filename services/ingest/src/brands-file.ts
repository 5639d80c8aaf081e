import { z } from 'zod';
import { SENSITIVITIES, type Sensitivity } from '@earshot/shared';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { parseBrandQuery, type BrandQuery } from './brand-query.js';
import { BaseSourceSchema, type BaseSource, type SourceDefinition } from './connectors/define.js';
import { SOURCES, sourceByType } from './connectors/sources/index.js';

const brandId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'brand ids are lower-case letters, digits, - and _');
const sourceName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a lower-case source name such as "twitter"');

const BrandEntrySchema = z
  .object({
    id: brandId,
    query: z.string().min(1).optional(),
    /** The brand's own accounts per source (handles or ids), so its replies are known as the brand speaking. */
    accounts: z.record(sourceName, z.array(z.string().min(1))).default({}),
    sources: z.array(z.looseObject({ type: z.string() })).default([]),
    /** How readily this brand's detectors page (medium by default). */
    alerts: z
      .object({ sensitivity: z.enum(SENSITIVITIES) })
      .strict()
      .optional(),
  })
  .strict();

const BrandsFileSchema = z.object({ brands: z.array(BrandEntrySchema).min(1, 'lists no brands') }).strict();

export interface ConfiguredSource {
  /** Unique connector id: checkpoints, metrics and /healthz use it. */
  id: string;
  brand: string;
  definition: SourceDefinition;
  options: BaseSource & Record<string, unknown>;
  schedule: string;
  refresh: { schedule: string; hours: number } | null;
  /** Its mentions are the brand's by construction, whatever their text says. */
  owned: boolean;
  /**
   * Every brand's entry this connector serves: one for most sources; all of them for a
   * network-wide source (one X filtered stream per app, one Jetstream), whose `brand` is
   * then the brands' ids joined by commas.
   */
  members: { brand: string; options: BaseSource & Record<string, unknown> }[];
}

export interface BrandsFile {
  queries: Record<string, BrandQuery>;
  accounts: Record<string, Record<string, string[]>>;
  sources: ConfiguredSource[];
  /** Brands whose alert sensitivity is set (the others are medium). */
  sensitivity: Record<string, Sensitivity>;
}

export const EMPTY_BRANDS_FILE: BrandsFile = { queries: {}, accounts: {}, sources: [], sensitivity: {} };

export class BrandsFileError extends Error {
  override readonly name = 'BrandsFileError';
}

/**
 * The brands file (YAML or JSON): each brand's query, its own accounts and its sources.
 * Everything is checked at start; an error names the file, the line and column, the
 * path inside the file and what is wrong. Secrets never live here: a source names the
 * environment variables it reads, and a missing one is an error at start.
 */
export function loadBrandsFile(path: string, text: string, env: Record<string, string | undefined>, opts: { checkSecrets?: boolean } = {}): BrandsFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (p: (string | number)[]) => where(doc, lines, p);
  const fail = (p: (string | number)[], message: string): never => {
    const label = p.length
      ? `${p
          .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`))
          .join('')
          .replace(/^\./, '')}: `
      : '';
    throw new BrandsFileError(`${path}:${at(p)}: ${label}${message}`);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    throw new BrandsFileError(`${path}:${line}:${col}: ${e.message.split('\n')[0]}`);
  }
  const file = BrandsFileSchema.safeParse(doc.toJS());
  if (!file.success) {
    const issue = file.error.issues[0]!;
    if (issue.code === 'unrecognized_keys')
      fail(
        [...(issue.path as (string | number)[]), issue.keys[0]!],
        `unknown key; expected one of ${issue.path.length ? 'id, query, accounts, sources, alerts' : 'brands'}`,
      );
    fail(issue.path as (string | number)[], issue.message);
  }
  const { brands } = file.data!;
  const out: BrandsFile = { queries: {}, accounts: {}, sources: [], sensitivity: {} };
  const ids = new Set<string>();
  const networkWide = new Map<string, { at: (string | number)[]; members: ConfiguredSource['members'] }>();
  brands.forEach((b, bi) => {
    if (out.accounts[b.id]) fail(['brands', bi, 'id'], `brand "${b.id}" is listed twice`);
    out.accounts[b.id] = b.accounts;
    if (b.alerts) out.sensitivity[b.id] = b.alerts.sensitivity;
    if (b.query) {
      // " #acme" in a plain YAML value starts a comment: the query would be cut short silently.
      const node = doc.getIn(['brands', bi, 'query'], true);
      const comment = isScalar(node) && node.type === 'PLAIN' ? (node.comment ?? '') : '';
      if (/^\S/.test(comment))
        fail(['brands', bi, 'query'], `the query is cut at "#${comment.split(/\s/)[0]}": in YAML " #" starts a comment; put the query in quotes`);
      try {
        out.queries[b.id] = parseBrandQuery(b.query);
      } catch (err) {
        fail(['brands', bi, 'query'], (err as Error).message);
      }
    }
    b.sources.forEach((raw, si) => {
      const here = ['brands', bi, 'sources', si];
      const definition = sourceByType.get(raw.type);
      if (!definition) fail([...here, 'type'], `unknown source type "${raw.type}"; one of ${SOURCES.map((s) => s.type).join(', ')}`);
      const own = Object.keys(definition!.options.shape);
      const allowed = new Set([...Object.keys(BaseSourceSchema.shape), ...own]);
      const unknown = Object.keys(raw).find((k) => !allowed.has(k));
      if (unknown) fail([...here, unknown], `${raw.type} has no option "${unknown}"; its own options are ${own.filter((k) => k !== 'type').join(', ')}`);
      let options = {} as BaseSource & Record<string, unknown>;
      for (const schema of [BaseSourceSchema, definition!.options] as z.ZodType[]) {
        const parsed = schema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          fail([...here, ...(issue.path as (string | number)[])], issue.message);
        }
        options = { ...options, ...(parsed.data as object) };
      }
      const missing = opts.checkSecrets === false ? [] : definition!.secrets(options).filter((name) => !env[name]);
      if (missing.length) fail(here, `${raw.type} needs ${missing.join(' and ')} set in the environment`);
      const shared = definition!.networkWide?.(options);
      if (shared !== undefined) {
        const key = `${raw.type}\u0000${shared}`;
        const group = networkWide.get(key) ?? { at: here, members: [] };
        group.members.push({ brand: b.id, options });
        networkWide.set(key, group);
        return;
      }
      let id = options.id ?? `${b.id}.${raw.type}`;
      if (!options.id) for (let n = 2; ids.has(id); n++) id = `${b.id}.${raw.type}.${n}`;
      if (ids.has(id)) fail([...here, 'id'], `connector id "${id}" is used twice`);
      ids.add(id);
      const refresh =
        options.refresh === false || (definition!.refreshOptIn && !options.refresh)
          ? null
          : { schedule: options.refresh?.schedule ?? '*/5 * * * *', hours: options.refresh?.hours ?? 6 };
      out.sources.push({
        id,
        brand: b.id,
        definition: definition!,
        options,
        schedule: options.schedule ?? definition!.defaultSchedule,
        refresh,
        owned: definition!.owned || !b.query,
        members: [{ brand: b.id, options }],
      });
    });
  });
  // One connector per network-wide connection, named by its type (or the first explicit id).
  for (const { at, members } of networkWide.values()) {
    const first = members[0]!.options;
    const definition = sourceByType.get(first.type as string)!;
    let id = members.find((m) => m.options.id)?.options.id ?? definition.type;
    if (!members.some((m) => m.options.id)) for (let n = 2; ids.has(id); n++) id = `${definition.type}.${n}`;
    if (ids.has(id)) fail([...at, 'id'], `connector id "${id}" is used twice`);
    ids.add(id);
    out.sources.push({
      id,
      brand: members.map((m) => m.brand).join(','),
      definition,
      options: first,
      schedule: first.schedule ?? definition.defaultSchedule,
      refresh: null,
      owned: false,
      members,
    });
  }
  return out;
}

/** "line:col" of the deepest node on `path` that exists in the document. */
function where(doc: Document, lines: LineCounter, path: (string | number)[]): string {
  for (let n = path.length; n >= 0; n--) {
    // A key names its line better than its value (which may start on the next line).
    const parent = n > 0 ? doc.getIn(path.slice(0, n - 1), true) : null;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[n - 1]);
      if (pair && isNode(pair.key) && pair.key.range) {
        const { line, col } = lines.linePos(pair.key.range[0]);
        return `${line}:${col}`;
      }
    }
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return `${line}:${col}`;
    }
  }
  return '1:1';
}
