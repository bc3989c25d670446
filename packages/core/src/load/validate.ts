import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ErrorCode, type Diagnostic } from '../errors.js';
import { formatPath, type ManifestSource } from './source.js';
import type { JsonSchema } from '../plugin.js';
import { VERSION } from '../version.js';
import { didYouMean } from './didYouMean.js';

// ajv and ajv-formats ship CommonJS; load them through require for clean typing under NodeNext.
const require = createRequire(import.meta.url);
/**
 * Strict mode (draft-07): a plugin schema's unknown keyword, wrong keyword value or keyword that does
 * not apply to its type fails to compile instead of being ignored (see load/pluginSchema.ts for the
 * error). `required` may name properties a subschema does not declare (`oneOf` branches do).
 * `x-mfinfra-plugin` is the annotation assembleSchema puts on each plugin's section.
 */
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  keywords: ['x-mfinfra-plugin'] as string[],
} as const;

/**
 * Compile a schema to a validator. Compiling with ajv costs ~100 ms per CLI run (loading ajv and
 * generating code), so the generated code is cached on disk (ajv's standalone mode), keyed by a hash
 * of the schema and the versions of ajv and core: later runs with the same plugins skip ajv entirely.
 * The cache lives in $MFINFRA_CACHE_DIR, else $XDG_CACHE_HOME/mfinfra, else ~/.cache/mfinfra;
 * MFINFRA_NO_CACHE=1 turns it off. A cache that cannot be read or written is ignored.
 */
export function compileSchema(schema: JsonSchema, env: NodeJS.ProcessEnv = process.env): ValidateFunction {
  const useCache = env.MFINFRA_NO_CACHE !== '1';
  const file = useCache ? cacheFile(schema, env) : undefined;
  if (file) {
    const cached = loadCachedValidator(file);
    if (cached) return cached;
  }
  const AjvCtor = require('ajv').default as typeof import('ajv').default;
  const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;
  const { _ } = require('ajv') as typeof import('ajv');
  const ajv = new AjvCtor({
    ...AJV_OPTIONS,
    code: useCache ? { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } : {},
  });
  addFormats(ajv);
  const validate = ajv.compile(boundSchema(schema));
  if (file) {
    try {
      const standaloneCode = require('ajv/dist/standalone').default as (a: unknown, v: unknown) => string;
      const code = standaloneCode(ajv, validate);
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
    } catch {
      // The cache is an optimisation only.
    }
  }
  return validate;
}

function cacheFile(schema: JsonSchema, env: NodeJS.ProcessEnv): string | undefined {
  try {
    const base = env.MFINFRA_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mfinfra');
    const ajvVersion = (require('ajv/package.json') as { version: string }).version;
    const key = createHash('sha256')
      .update(JSON.stringify([VERSION, ajvVersion, AJV_OPTIONS, DEFAULT_BOUNDS, schema]))
      .digest('hex')
      .slice(0, 32);
    return path.join(base, 'validators', `${key}.cjs`);
  } catch {
    return undefined;
  }
}

function loadCachedValidator(file: string): ValidateFunction | undefined {
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const mod = { exports: {} as { default?: ValidateFunction } };
    new Function('require', 'module', 'exports', code)(require, mod, mod.exports);
    const fn = mod.exports.default ?? (mod.exports as unknown as ValidateFunction);
    return typeof fn === 'function' ? fn : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Upper bounds for values whose schema gives none (a third-party plugin's, or a first-party one that
 * forgot): no string longer than a path may be, no integer outside CloudFormation's 32-bit range, no
 * list or open mapping of more than a thousand entries. A hostile manifest cannot hand a plugin's
 * check a 200,000-character string, or the template a number AWS refuses.
 */
export const DEFAULT_BOUNDS = {
  maxLength: 4096,
  integerMinimum: -2147483648,
  integerMaximum: 2147483647,
  numberMaximum: 1e15,
  maxItems: 1000,
  maxProperties: 1000,
} as const;

/** A copy of `schema` with {@link DEFAULT_BOUNDS} added wherever it sets no bound of its own. */
export function boundSchema(schema: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const s: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      // Keys of these are names, not schemas; their values are schemas.
      if (k === 'properties' || k === 'patternProperties' || k === 'definitions' || k === '$defs' || k === 'dependentSchemas') {
        s[k] = Object.fromEntries(Object.entries((v ?? {}) as Record<string, unknown>).map(([name, sub]) => [name, walk(sub)]));
      } else if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples' || k === 'required') s[k] = v;
      else s[k] = walk(v);
    }
    const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
    if ('enum' in s || 'const' in s) return s;
    if (types.includes('string') && s.maxLength === undefined) s.maxLength = DEFAULT_BOUNDS.maxLength;
    if (types.includes('integer')) {
      if (s.maximum === undefined && s.exclusiveMaximum === undefined) s.maximum = DEFAULT_BOUNDS.integerMaximum;
      if (s.minimum === undefined && s.exclusiveMinimum === undefined) s.minimum = DEFAULT_BOUNDS.integerMinimum;
    } else if (types.includes('number')) {
      if (s.maximum === undefined && s.exclusiveMaximum === undefined) s.maximum = DEFAULT_BOUNDS.numberMaximum;
      if (s.minimum === undefined && s.exclusiveMinimum === undefined) s.minimum = -DEFAULT_BOUNDS.numberMaximum;
    }
    if (types.includes('array') && s.maxItems === undefined) s.maxItems = DEFAULT_BOUNDS.maxItems;
    if (types.includes('object') && s.maxProperties === undefined && s.additionalProperties !== false)
      s.maxProperties = DEFAULT_BOUNDS.maxProperties;
    return s;
  };
  return walk(schema) as JsonSchema;
}

/** Validate manifest data; return one diagnostic per real problem, with positions and hints. */
export function validateAgainstSchema(
  validate: ValidateFunction,
  source: ManifestSource,
  ownerOf: (key: string) => string | undefined,
  pluginKeysHint: (key: string) => string | undefined,
): Diagnostic[] {
  if (validate(source.data)) return [];
  // A key that fails propertyNames gives one error for the key ("has an invalid key") and one from
  // inside propertyNames that points at the mapping: keep the first.
  const errors = pruneBranchNoise((validate.errors ?? []).filter((e) => !e.schemaPath.includes('/propertyNames/')));
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const err of errors) {
    const d = toDiagnostic(err, source, ownerOf, pluginKeysHint);
    const id = `${d.path}|${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(d);
  }
  return out;
}

/** `/batch/jobQueues/0` → ['batch', 'jobQueues', 0] */
export function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * For anyOf/oneOf failures ajv reports every branch's errors. Keep only the branch that came
 * closest (fewest errors), and drop the summary error when a branch explains the problem.
 */
function pruneBranchNoise(errors: ErrorObject[]): ErrorObject[] {
  let result = errors;
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  for (const c of combinators) {
    if (c.keyword === 'oneOf' && (c.params as { passingSchemas?: unknown }).passingSchemas) continue;
    const prefix = c.schemaPath + '/';
    const branches = new Map<string, ErrorObject[]>();
    for (const e of result) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const idx = e.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(idx, [...(branches.get(idx) ?? []), e]);
    }
    if (branches.size === 0) continue;
    const score = (errs: ErrorObject[]) =>
      errs.length + errs.filter((e) => e.keyword === 'type' || e.keyword === 'required' || e.keyword === 'const').length * 10;
    const best = [...branches.entries()].sort((a, b) => score(a[1]) - score(b[1]) || Number(a[0]) - Number(b[0]))[0]![1];
    const drop = new Set([...branches.values()].flat().filter((e) => !best.includes(e)));
    drop.add(c);
    result = result.filter((e) => !drop.has(e));
  }
  return result;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  // JSON quoting shows control characters (NUL, newline) as escapes instead of printing them raw.
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  return String(v);
}

function toDiagnostic(
  err: ErrorObject,
  source: ManifestSource,
  ownerOf: (key: string) => string | undefined,
  pluginKeysHint: (key: string) => string | undefined,
): Diagnostic {
  const base = pointerToPath(err.instancePath);
  const where = formatPath(base);
  const parentSchema = (err.parentSchema ?? {}) as Record<string, unknown>;
  let path = base;
  let message: string;
  let hint: string | undefined;
  let useKeyLoc = false;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = (err.params as { additionalProperty: string }).additionalProperty;
      path = [...base, key];
      useKeyLoc = true;
      const known = Object.keys((parentSchema.properties as object | undefined) ?? {});
      const suggestion = didYouMean(key, known);
      message = base.length === 0 ? `unknown top-level key "${key}"` : `unknown key "${key}" in ${where}`;
      if (base.length === 0) hint = pluginKeysHint(key);
      if (!hint && suggestion) hint = `did you mean "${suggestion}"?`;
      if (!hint) hint = known.length ? `allowed keys here: ${known.join(', ')}` : 'remove this key';
      break;
    }
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      const owner = base.length === 0 ? ownerOf(missing) : undefined;
      message =
        base.length === 0
          ? owner
            ? `missing section "${missing}" (plugin ${owner} is listed in plugins)`
            : `missing required key "${missing}"`
          : `missing required key "${missing}" in ${where}`;
      const propSchema = ((parentSchema.properties as Record<string, { description?: string }> | undefined) ?? {})[missing];
      hint = owner
        ? `add a "${missing}:" section, or remove the plugin from plugins`
        : propSchema?.description
          ? `add "${missing}": ${propSchema.description}`
          : `add "${missing}"`;
      break;
    }
    case 'type': {
      const expected = (err.params as { type: string | string[] }).type;
      const list = Array.isArray(expected) ? expected.join(' or ') : expected;
      message = `${where} must be ${/^[aeiou]/.test(list) ? 'an' : 'a'} ${list}, not ${describeValue(err.data)}`;
      break;
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
      // A table (regions, instance classes, versions) is too long to print: name a close one instead.
      const long = allowed.length > 12;
      message = long
        ? `${where} is not a known value: ${describeValue(err.data)}`
        : `${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, not ${describeValue(err.data)}`;
      const s = typeof err.data === 'string' ? didYouMean(err.data, allowed.map(String)) : undefined;
      if (s) hint = `did you mean "${s}"?`;
      else if (long)
        hint = `${typeof parentSchema.description === 'string' ? `${parentSchema.description} ` : ''}(${allowed.length} values: ${allowed.slice(0, 8).map(String).join(', ')}, …)`;
      break;
    }
    case 'const':
      message = `${where} must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}, not ${describeValue(err.data)}`;
      break;
    case 'pattern':
    case 'format':
      message = `${where} is not valid: ${describeValue(err.data)}`;
      hint =
        (parentSchema.description as string | undefined) ?? `it must match ${(err.params as { pattern?: string }).pattern ?? err.message}`;
      break;
    case 'uniqueItems': {
      const { i, j } = err.params as { i: number; j: number };
      message = `${where} lists the same item twice (items ${j + 1} and ${i + 1})`;
      path = [...base, i];
      hint = 'remove the duplicate';
      break;
    }
    case 'propertyNames':
      message = `${where} has an invalid key "${(err.params as { propertyName: string }).propertyName}"`;
      path = [...base, (err.params as { propertyName: string }).propertyName];
      useKeyLoc = true;
      hint = ((parentSchema.propertyNames ?? {}) as { description?: string }).description;
      break;
    case 'maxLength':
    case 'minLength': {
      const limit = (err.params as { limit: number }).limit;
      const n = typeof err.data === 'string' ? err.data.length : 0;
      message =
        err.keyword === 'maxLength'
          ? `${where} is too long: ${n} characters, at most ${limit}`
          : `${where} is too short: ${n} characters, at least ${limit}`;
      if (typeof parentSchema.description === 'string') hint = parentSchema.description;
      break;
    }
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum': {
      const { comparison, limit } = err.params as { comparison: string; limit: number };
      message = `${where} must be ${comparison} ${limit}, not ${describeValue(err.data)}`;
      if (typeof parentSchema.description === 'string') hint = parentSchema.description;
      break;
    }
    case 'not':
      // A key a sibling rules out (e.g. anything that creates a resource beside `existing:`); the
      // schema's description says which sibling and what to do.
      message = `${where} is not allowed here`;
      useKeyLoc = true;
      if (typeof parentSchema.description === 'string') hint = parentSchema.description;
      break;
    default:
      message = `${where} ${err.message ?? 'is invalid'}`;
      if (typeof parentSchema.description === 'string') hint = parentSchema.description;
  }
  const loc = useKeyLoc ? source.locateKey(path) : source.locate(path);
  const section = typeof path[0] === 'string' ? path[0] : undefined;
  return {
    code: ErrorCode.MANIFEST_INVALID,
    severity: 'error',
    message,
    path: formatPath(path),
    loc,
    frame: source.frame(loc),
    hint,
    plugin: section ? ownerOf(section) : undefined,
  };
}
