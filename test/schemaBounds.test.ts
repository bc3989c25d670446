/**
 * Issue 12, item 12: every value a first-party plugin (and core) accepts is bounded, so a hostile
 * manifest cannot hand a check a 200,000-character string or a number CloudFormation refuses. Every
 * string in a schema has a maxLength (or is an enum/const), every number a maximum, every list a
 * maxItems, every open-ended mapping a maxProperties.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { JsonSchema, Plugin } from '../packages/core/src/plugin.js';
import { rootSchema } from '../packages/core/src/load/rootSchema.js';
import { boundSchema, DEFAULT_BOUNDS } from '../packages/core/src/load/validate.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pluginDirs = readdirSync(path.join(repo, 'packages'))
  .filter((d) => d.startsWith('plugin-'))
  .sort();

/** Paths (in the schema) of values that have no upper bound. */
export function unbounded(schema: JsonSchema, at = '#'): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Record<string, any>;
  const out: string[] = [];
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const closed = 'enum' in s || 'const' in s;
  if (!closed) {
    if (types.includes('string') && s.maxLength === undefined && s.format === undefined) out.push(`${at} (string without maxLength)`);
    if ((types.includes('integer') || types.includes('number')) && s.maximum === undefined && s.exclusiveMaximum === undefined)
      out.push(`${at} (number without maximum)`);
    if (types.includes('array') && s.maxItems === undefined) out.push(`${at} (list without maxItems)`);
    if (
      types.includes('object') &&
      s.additionalProperties !== false &&
      s.additionalProperties !== undefined &&
      s.maxProperties === undefined
    )
      out.push(`${at} (mapping without maxProperties)`);
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...unbounded(v as JsonSchema, `${at}/${k}`));
  for (const key of ['items', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else'])
    if (s[key] && typeof s[key] === 'object') out.push(...unbounded(s[key], `${at}/${key}`));
  for (const key of ['anyOf', 'oneOf', 'allOf'])
    for (const [i, v] of ((s[key] as JsonSchema[] | undefined) ?? []).entries()) out.push(...unbounded(v, `${at}/${key}/${i}`));
  for (const [k, v] of Object.entries({ ...(s.definitions ?? {}), ...(s.$defs ?? {}) }))
    out.push(...unbounded(v as JsonSchema, `${at}/$defs/${k}`));
  return out;
}

describe('schema bounds', () => {
  it("core's root schema bounds every value", () => {
    expect(unbounded(rootSchema())).toEqual([]);
  });

  // The plugins whose schema.ts sets its own bounds (tighter than core's defaults, from AWS's limits).
  it.each(['plugin-batch', 'plugin-datastore', 'plugin-network'])('%s sets a bound on every value itself', async (dir) => {
    const mod = (await import(path.join(repo, 'packages', dir, 'src/index.ts'))) as { default: Plugin<unknown, unknown> };
    expect(unbounded(mod.default.schema!)).toEqual([]);
  });

  it.each(pluginDirs)('%s: every value is bounded once core adds its defaults (what validation uses)', async (dir) => {
    const mod = (await import(path.join(repo, 'packages', dir, 'src/index.ts'))) as { default: Plugin<unknown, unknown> };
    expect(mod.default.schema, dir).toBeDefined();
    expect(unbounded(boundSchema(mod.default.schema!))).toEqual([]);
  });

  it("core's defaults keep a schema's own bounds and fill in the rest", () => {
    expect(
      boundSchema({
        type: 'object',
        properties: { a: { type: 'string', maxLength: 3 }, n: { type: 'integer' }, e: { enum: ['x'] } },
        required: ['a'],
      }),
    ).toEqual({
      type: 'object',
      properties: {
        a: { type: 'string', maxLength: 3 },
        n: { type: 'integer', maximum: DEFAULT_BOUNDS.integerMaximum, minimum: DEFAULT_BOUNDS.integerMinimum },
        e: { enum: ['x'] },
      },
      required: ['a'],
      maxProperties: DEFAULT_BOUNDS.maxProperties,
    });
  });

  it('the check itself finds an unbounded string, number, list and mapping', () => {
    expect(
      unbounded({
        type: 'object',
        properties: {
          s: { type: 'string' },
          n: { type: 'integer', minimum: 0 },
          l: { type: 'array', items: { type: 'string', maxLength: 3 } },
        },
        additionalProperties: { type: 'string', maxLength: 1 },
      }),
    ).toEqual([
      '# (mapping without maxProperties)',
      '#/s (string without maxLength)',
      '#/n (number without maximum)',
      '#/l (list without maxItems)',
    ]);
  });
});
