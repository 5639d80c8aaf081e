import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SENSITIVITIES, type Sensitivity } from '@earshot/shared';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { parseBrandQuery, type BrandQuery } from './brand-query.js';
import { BaseSourceSchema, type BaseSource, type SourceDefinition } from './connectors/define.js';
import { SOURCES, sourceByType } from './connectors/sources/index.js';
import { suggestion } from './did-you-mean.js';

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

const BRAND_KEYS = ['id', 'query', 'accounts', 'sources', 'alerts'];

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

/** Reads and checks the brands file at `path`; one that cannot be read is a BrandsFileError naming it. */
export function readBrandsFile(path: string, env: Record<string, string | undefined>, opts: { checkSecrets?: boolean } = {}): BrandsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'there is no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES'
            ? 'it cannot be read (permissions)'
            : (err as Error).message;
    throw new BrandsFileError(`cannot read the brands file ${path} (EARSHOT_BRANDS_FILE): ${why}`);
  }
  return loadBrandsFile(path, text, env, opts);
}

/**
 * The brands file (YAML or JSON): each brand's query, its own accounts and its sources.
 * Everything is checked at start and every mistake reported at once; each names the
 * file, the line and column, the path inside the file and what is wrong. Secrets never live here: a source names the
 * environment variables it reads, and a missing one is an error at start.
 */
export function loadBrandsFile(path: string, text: string, env: Record<string, string | undefined>, opts: { checkSecrets?: boolean } = {}): BrandsFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (p: (string | number)[]) => where(doc, lines, p);
  const problems: string[] = [];
  const fail = (p: (string | number)[], message: string): void => {
    const label = p.length
      ? `${p
          .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`))
          .join('')
          .replace(/^\./, '')}: `
      : '';
    problems.push(`${path}:${at(p)}: ${label}${message}`);
  };
  const done = (): void => {
    if (problems.length === 1) throw new BrandsFileError(problems[0]);
    if (problems.length > 1) throw new BrandsFileError(`${problems.length} problems in ${path}:\n  ${problems.join('\n  ')}`);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    throw new BrandsFileError(`${path}:${line}:${col}: ${e.message.split('\n')[0]}`);
  }
  const raw = doc.toJS() as unknown;
  const file = BrandsFileSchema.safeParse(raw);
  if (!file.success) {
    for (const issue of file.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const expected = issue.path.length ? BRAND_KEYS : ['brands'];
        for (const key of issue.keys)
          fail([...(issue.path as (string | number)[]), key], `unknown key${suggestion(key, expected)}; expected one of ${expected.join(', ')}`);
      } else fail(issue.path as (string | number)[], issue.message);
    }
  }
  // Every brand that can be read is checked, sources and all, even beside other mistakes:
  // one run reports everything (an unknown key is reported above and ignored here).
  const entries = file.success ? file.data.brands : Array.isArray((raw as { brands?: unknown })?.brands) ? (raw as { brands: unknown[] }).brands : [];
  const brands = entries.map((b) => BrandEntrySchema.strip().safeParse(b)).map((r) => (r.success ? r.data : null));
  const out: BrandsFile = { queries: {}, accounts: {}, sources: [], sensitivity: {} };
  const ids = new Set<string>();
  const networkWide = new Map<string, { at: (string | number)[]; members: ConfiguredSource['members'] }>();
  brands.forEach((b, bi) => {
    if (!b) return;
    if (out.accounts[b.id]) return fail(['brands', bi, 'id'], `brand "${b.id}" is listed twice`);
    out.accounts[b.id] = b.accounts;
    if (b.alerts) out.sensitivity[b.id] = b.alerts.sensitivity;
    if (b.query) {
      // " #acme" in a plain YAML value starts a comment: the query would be cut short silently.
      const node = doc.getIn(['brands', bi, 'query'], true);
      const comment = isScalar(node) && node.type === 'PLAIN' ? (node.comment ?? '') : '';
      if (/^\S/.test(comment))
        fail(['brands', bi, 'query'], `the query is cut at "#${comment.split(/\s/)[0]}": in YAML " #" starts a comment; put the query in quotes`);
      else
        try {
          out.queries[b.id] = parseBrandQuery(b.query);
        } catch (err) {
          fail(['brands', bi, 'query'], (err as Error).message);
        }
    }
    b.sources.forEach((raw, si) => {
      const here = ['brands', bi, 'sources', si];
      const definition = sourceByType.get(raw.type);
      const types = SOURCES.map((s) => s.type);
      if (!definition) return fail([...here, 'type'], `unknown source type "${raw.type}"${suggestion(raw.type, types)}; one of ${types.join(', ')}`);
      const own = Object.keys(definition.options.shape);
      const allowed = [...new Set([...Object.keys(BaseSourceSchema.shape), ...own])];
      const unknown = Object.keys(raw).filter((k) => !allowed.includes(k));
      for (const key of unknown)
        fail(
          [...here, key],
          `${raw.type} has no option "${key}"${suggestion(key, allowed)}; its own options are ${own.filter((k) => k !== 'type').join(', ')}`,
        );
      // The options it does have are checked too, so one run reports them all.
      const known = Object.fromEntries(Object.entries(raw).filter(([k]) => allowed.includes(k)));
      let options = {} as BaseSource & Record<string, unknown>;
      let valid = unknown.length === 0;
      for (const schema of [BaseSourceSchema, definition.options] as z.ZodType[]) {
        const parsed = schema.safeParse(known);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) fail([...here, ...(issue.path as (string | number)[])], issue.message);
          valid = false;
        } else options = { ...options, ...(parsed.data as object) };
      }
      if (!valid) return;
      const missing = opts.checkSecrets === false ? [] : definition.secrets(options).filter((name) => !env[name]);
      if (missing.length) return fail(here, `${raw.type} needs ${missing.join(' and ')} set in the environment`);
      const shared = definition.networkWide?.(options);
      if (shared !== undefined) {
        const key = `${raw.type}\u0000${shared}`;
        const group = networkWide.get(key) ?? { at: here, members: [] };
        group.members.push({ brand: b.id, options });
        networkWide.set(key, group);
        return;
      }
      let id = options.id ?? `${b.id}.${raw.type}`;
      if (!options.id) for (let n = 2; ids.has(id); n++) id = `${b.id}.${raw.type}.${n}`;
      if (ids.has(id)) return fail([...here, 'id'], `connector id "${id}" is used twice`);
      ids.add(id);
      const refresh =
        options.refresh === false || (definition.refreshOptIn && !options.refresh)
          ? null
          : { schedule: options.refresh?.schedule ?? '*/5 * * * *', hours: options.refresh?.hours ?? 6 };
      out.sources.push({
        id,
        brand: b.id,
        definition,
        options,
        schedule: options.schedule ?? definition.defaultSchedule,
        refresh,
        owned: definition.owned || !b.query,
        members: [{ brand: b.id, options }],
      });
    });
  });
  // A limit the service sets per account holds across every brand's source on that account.
  const perAccount = new Map<string, { at: (string | number)[]; uses: Set<string>; max: number; what: string }>();
  for (const s of out.sources) {
    const limit = s.definition.perAccount?.(s.options);
    if (!limit) continue;
    const key = `${s.definition.type}\u0000${limit.account}`;
    const entry = perAccount.get(key) ?? { at: [], uses: new Set<string>(), max: limit.max, what: limit.what };
    for (const u of limit.uses) entry.uses.add(u);
    entry.at.push(s.id);
    perAccount.set(key, entry);
  }
  for (const [key, p] of perAccount)
    if (p.uses.size > p.max)
      problems.push(
        `${path}: ${p.uses.size} ${p.what} for ${key.split('\u0000')[0]} account ${key.split('\u0000')[1]} across ${p.at.join(', ')}; the service allows ${p.max} an account`,
      );
  // One connector per network-wide connection, named by its type (or the first explicit id).
  for (const { at, members } of networkWide.values()) {
    const first = members[0]!.options;
    const definition = sourceByType.get(first.type as string)!;
    let id = members.find((m) => m.options.id)?.options.id ?? definition.type;
    if (!members.some((m) => m.options.id)) for (let n = 2; ids.has(id); n++) id = `${definition.type}.${n}`;
    if (ids.has(id)) {
      fail([...at, 'id'], `connector id "${id}" is used twice`);
      continue;
    }
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
  done();
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
