import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Plugin } from '../plugin.js';
import { emptyMerged, HOOKS, KEEP, MERGE, mergeConfigOutputs, mergeDeployedOutputs, mergeResources, mergeStackOutputs } from './hooks.js';
import type { LoadedPlugin } from '../load/loadedPlugin.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const plugin = (key: string): LoadedPlugin => ({
  plugin: { name: `test:${key}`, apiVersion: 1, key, schema: { type: 'object' } } as Plugin,
  spec: key,
  index: 0,
  kind: 'local',
  resolvedFrom: 'path',
  resolution: 'a test plugin',
  source: `${key}.mjs`,
  loadMs: 0,
});
const a = plugin('a');
const b = plugin('b');
const byKey = (k: string) => ({ a, b })[k];

describe('the hook table', () => {
  it('lists the hooks a plugin object may have, in the order they run', () => {
    expect(HOOKS.map((h) => h.name)).toEqual([
      'check',
      'resolve',
      'api',
      'resources',
      'outputs',
      'stackOutputs',
      'verify',
      'deployedOutputs',
    ]);
    // every hook of the table is a function field of Plugin (a type error otherwise)
    const fields: Required<Pick<Plugin, (typeof HOOKS)[number]['name']>> | undefined = undefined;
    expect(fields).toBeUndefined();
  });

  it.each(['ARCHITECTURE.md', 'docs/plugins.md'])('is what %s says, row by row', (doc) => {
    const rows = readFileSync(path.join(repo, doc), 'utf8')
      .split('\n')
      .filter((l) => /^\| `[a-zA-Z]+` +\| (sequential|first|parallel) /.test(l))
      .map((l) =>
        l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim().replace(/`/g, '')),
      );
    expect(rows).toEqual(HOOKS.map((h) => [h.name, h.kind, h.runs, h.returns, h.merge]));
  });
});

describe('merge rules', () => {
  it('resources: union by logical id; a second owner and a resource without a Type are refused', () => {
    const merged = emptyMerged();
    expect(mergeResources({ merged, lp: a, byKey, value: { AQueue: { Type: 'AWS::SQS::Queue' } } })).toEqual([]);
    const problems = mergeResources({
      merged,
      lp: b,
      byKey,
      value: { AQueue: { Type: 'AWS::SNS::Topic' }, BThing: {} as never, BTopic: { Type: 'AWS::SNS::Topic' } },
    });
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      ['COLLISION_RESOURCE', 'plugins test:a and test:b both define the resource AQueue'],
      ['TEMPLATE_INVALID', 'plugin test:b returned resource BThing without a Type'],
    ]);
    expect(merged.resources).toEqual({ AQueue: { Type: 'AWS::SQS::Queue' }, BTopic: { Type: 'AWS::SNS::Topic' } });
    expect(merged.resourceOwners).toEqual({ AQueue: 'a', BTopic: 'b' });
  });

  it('outputs: union by config key; empty values are not set; literals are kept as strings', () => {
    const merged = emptyMerged();
    mergeConfigOutputs({
      merged,
      lp: a,
      byKey,
      value: { METAFLOW_A: 3, METAFLOW_EMPTY: '', METAFLOW_REF: { value: { Ref: 'X' }, description: 'x' } },
    });
    const problems = mergeConfigOutputs({ merged, lp: b, byKey, value: { METAFLOW_A: 'again', lower: 'x' } });
    expect(problems.map((p) => p.code)).toEqual(['COLLISION_CONFIG_OUTPUT', 'TEMPLATE_INVALID']);
    expect(merged.configOutputs.map((c) => [c.key, c.outputName, c.value, c.literal, c.description])).toEqual([
      ['METAFLOW_A', 'MetaflowA', '3', '3', undefined],
      ['METAFLOW_REF', 'MetaflowRef', { Ref: 'X' }, undefined, 'x'],
    ]);
  });

  it('stackOutputs: names are alphanumeric and shared with the config outputs', () => {
    const merged = emptyMerged();
    mergeConfigOutputs({ merged, lp: a, byKey, value: { METAFLOW_A: 'x' } });
    const problems = mergeStackOutputs({
      merged,
      lp: b,
      byKey,
      value: { MetaflowA: { value: 1 }, 'bad-name': { value: 2 }, BOut: { value: 3 } },
    });
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      ['COLLISION_STACK_OUTPUT', 'plugins test:a and test:b both define the stack output MetaflowA'],
      ['TEMPLATE_INVALID', 'plugin test:b returned stack output "bad-name"; output names must be alphanumeric'],
    ]);
    expect(merged.stackOutputs.map((s) => s.name)).toEqual(['BOut']);
  });
});

describe('the deployed merge rule', () => {
  it('deployedOutputs: adds to the config values; a key set at compile time or by another plugin, a bad key or an empty value is refused', () => {
    const merged = { values: { METAFLOW_A: 'x' }, secretKeys: new Set<string>(), owners: new Map<string, string>() };
    const compileTime = (k: string) => (k === 'METAFLOW_A' ? 'test:a' : undefined);
    expect(mergeDeployedOutputs(merged, a, { METAFLOW_KEY: { value: 's3cret', secret: true } }, compileTime)).toEqual([]);
    const problems = mergeDeployedOutputs(
      merged,
      b,
      { METAFLOW_A: { value: 'y' }, METAFLOW_KEY: { value: 'other' }, lower: { value: 'z' }, METAFLOW_EMPTY: { value: '' } },
      compileTime,
    );
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      ['COLLISION_CONFIG_OUTPUT', 'plugins test:a and test:b both set METAFLOW_A'],
      ['COLLISION_CONFIG_OUTPUT', 'plugins test:a and test:b both set METAFLOW_KEY'],
      ['TEMPLATE_INVALID', 'plugin test:b returned deployed output "lower", which is not an UPPER_SNAKE config key'],
      ['PLUGIN_INVALID', "plugin test:b's deployedOutputs hook returned METAFLOW_EMPTY without a value"],
    ]);
    expect(merged.values).toEqual({ METAFLOW_A: 'x', METAFLOW_KEY: 's3cret' });
    expect([...merged.secretKeys]).toEqual(['METAFLOW_KEY']);
  });
});

describe('the check-phase rules', () => {
  const state = () => ({ models: new Map<string, unknown>(), apis: new Map<string, unknown>() });
  it('check: a reported problem stops the plugin (and its dependents)', () => {
    expect(KEEP.check({ key: 'a', value: undefined, reported: false, ...state() })).toEqual({ go: true });
    expect(KEEP.check({ key: 'a', value: undefined, reported: true, ...state() })).toEqual({ go: false });
  });
  it('resolve: keeps the model, whatever it is', () => {
    const s = state();
    expect(KEEP.resolve({ key: 'a', value: undefined, reported: false, ...s })).toEqual({ go: true });
    expect(s.models.has('a')).toBe(true);
    KEEP.resolve({ key: 'b', value: { ids: [1] }, reported: false, ...s });
    expect(s.models.get('b')).toEqual({ ids: [1] });
  });
  it('api: keeps the value for ctx.use; undefined is the plugin’s bug and stops it', () => {
    const s = state();
    expect(KEEP.api({ key: 'a', value: { vpcId: 'x' }, reported: false, ...s })).toEqual({ go: true });
    expect(s.apis.get('a')).toEqual({ vpcId: 'x' });
    expect(KEEP.api({ key: 'b', value: undefined, reported: false, ...s })).toEqual({
      go: false,
      wrong: 'return the value other plugins read with ctx.use(key), or remove the api hook',
    });
    expect(s.apis.has('b')).toBe(false);
  });
  it('every check-phase hook has a rule, every build hook a merge', () => {
    expect(Object.keys(KEEP)).toEqual(HOOKS.filter((h) => h.phase === 'check').map((h) => h.name));
    expect(Object.keys(MERGE)).toEqual(HOOKS.filter((h) => h.phase === 'build').map((h) => h.name));
  });
});
