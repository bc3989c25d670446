import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { formatPath } from './source.js';
import type { JsonSchema } from '../plugin.js';
import { didYouMean } from './didYouMean.js';
import { AJV_OPTIONS } from './validate.js';

const require = createRequire(import.meta.url);

/** What is wrong with a plugin's schema: the keyword, its value, where it is, and what to do. */
export interface PluginSchemaProblem {
  message: string;
  hint: string;
  keyword?: string;
  /** Path inside the plugin's schema, e.g. `properties.size.minimum` (`(root)` for the top). */
  path: string;
}

/** Draft-07 keywords, for "did you mean" only: ajv decides what is valid. */
const DRAFT_07_KEYWORDS = [
  '$id',
  '$schema',
  '$ref',
  '$comment',
  'title',
  'description',
  'default',
  'readOnly',
  'writeOnly',
  'examples',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'additionalItems',
  'items',
  'maxItems',
  'minItems',
  'uniqueItems',
  'contains',
  'maxProperties',
  'minProperties',
  'required',
  'additionalProperties',
  'definitions',
  'properties',
  'patternProperties',
  'dependencies',
  'propertyNames',
  'const',
  'enum',
  'type',
  'format',
  'contentMediaType',
  'contentEncoding',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
];
/** Keywords of later drafts that draft-07 would ignore, and what to write instead. */
const LATER_DRAFTS: Record<string, string> = {
  prefixItems: '"prefixItems" is from JSON Schema 2020-12; in draft-07 write "items" as a list (with "additionalItems")',
  unevaluatedProperties: '"unevaluatedProperties" is from JSON Schema 2019-09; in draft-07 use "additionalProperties"',
  unevaluatedItems: '"unevaluatedItems" is from JSON Schema 2019-09; in draft-07 use "additionalItems"',
  dependentRequired: '"dependentRequired" is from JSON Schema 2019-09; in draft-07 use "dependencies" with a list',
  dependentSchemas: '"dependentSchemas" is from JSON Schema 2019-09; in draft-07 use "dependencies" with a schema',
};
const DRAFT = 'plugin schemas are JSON Schema draft-07, compiled by ajv in strict mode (see docs/plugins.md)';

/** Keywords whose value is one subschema, a map of subschemas, or a list of subschemas. */
const ONE = ['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'items'];
const MAP = ['properties', 'patternProperties', 'definitions', '$defs', 'dependencies'];
const LIST = ['allOf', 'anyOf', 'oneOf', 'items'];

type Path = (string | number)[];

/** Every subschema of `schema` with its path, outermost first. */
function* subschemas(schema: unknown, path: Path = []): Generator<{ node: Record<string, unknown>; path: Path }> {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return;
  const node = schema as Record<string, unknown>;
  yield { node, path };
  for (const [k, v] of Object.entries(node)) {
    if (ONE.includes(k) && v && typeof v === 'object' && !Array.isArray(v)) yield* subschemas(v, [...path, k]);
    else if (LIST.includes(k) && Array.isArray(v)) for (const [i, s] of v.entries()) yield* subschemas(s, [...path, k, i]);
    else if (MAP.includes(k) && v && typeof v === 'object' && !Array.isArray(v))
      for (const [name, s] of Object.entries(v)) yield* subschemas(s, [...path, k, name]);
  }
}

function at(schema: unknown, path: Path): unknown {
  let cur = schema;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[p] : undefined;
  return cur;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `#/properties/a` (or a full `https://...#/properties/a`) → ['properties', 'a'] */
function pointer(ref: string): Path {
  const hash = ref.slice(ref.indexOf('#') + 1);
  return hash
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * The first problem ajv (strict, draft-07) finds in a plugin's schema, named by keyword, value and
 * path; `undefined` when the schema compiles. Runs only when the assembled schema failed to compile,
 * so a valid setup never pays for it.
 */
export function pluginSchemaProblem(schema: JsonSchema): PluginSchemaProblem | undefined {
  const AjvCtor = require('ajv').default as typeof import('ajv').default;
  const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;
  const ajv = new AjvCtor({ ...AJV_OPTIONS });
  addFormats(ajv);

  // 1. A keyword whose value has the wrong shape (draft-07 meta-schema): `minimum: "5"`, `required: "a"`.
  if (!ajv.validateSchema(schema)) {
    const err = pickMetaError(ajv.errors ?? []);
    const path = pointer(`#${err.instancePath}`);
    const keyword = [...path].reverse().find((p): p is string => typeof p === 'string');
    return {
      message: `the value ${show(at(schema, path))} of "${keyword}" at ${formatPath(path)} ${err.message ?? 'is invalid'}`,
      hint: `fix the keyword's value; ${DRAFT}`,
      keyword,
      path: formatPath(path),
    };
  }
  try {
    ajv.compile(schema);
    return undefined;
  } catch (e) {
    const text = (e as Error).message.replace(/^strict mode: /, '');
    // 2. An unknown keyword: a typo, or a keyword of another draft (prefixItems, unevaluatedProperties, ...).
    const unknown = /^unknown keyword: "([^"]+)"/.exec(text)?.[1];
    if (unknown !== undefined) {
      const found = [...subschemas(schema)].find(({ node }) => Object.hasOwn(node, unknown));
      const path = [...(found?.path ?? []), unknown];
      const suggestion = didYouMean(unknown, DRAFT_07_KEYWORDS);
      return {
        message: `unknown keyword "${unknown}" (value ${show(at(schema, path))}) at ${formatPath(path)}`,
        hint: `${LATER_DRAFTS[unknown] ? `${LATER_DRAFTS[unknown]}; ` : suggestion ? `did you mean "${suggestion}"? ` : ''}${DRAFT}`,
        keyword: unknown,
        path: formatPath(path),
      };
    }
    // 3. Anything else ajv refuses (a keyword that does not apply to the type, an unknown format, a
    //    bad regular expression, an unresolvable $ref): ajv's words, with the path it gives.
    const where = /at (?:path )?"([^"]*)"/.exec(text)?.[1];
    const path = where !== undefined ? pointer(where) : [];
    const message = text
      .replace(/ at (?:path )?"[^"]*"/, '')
      .replace(/ in schema at path "[^"]*"/, '')
      .replace(/ \(strict\w*\)$/, '');
    return {
      message: `${message} at ${formatPath(path)}`,
      hint: `${/missing type/.test(message) ? 'declare the type the keyword applies to; ' : ''}${DRAFT}`,
      path: formatPath(path),
    };
  }
}

/** The meta-schema error closest to the user's mistake (the deepest; `type` over `anyOf` noise). */
function pickMetaError(errors: ErrorObject[]): ErrorObject {
  return [...errors].sort(
    (a, b) => b.instancePath.length - a.instancePath.length || Number(a.keyword === 'anyOf') - Number(b.keyword === 'anyOf'),
  )[0]!;
}
