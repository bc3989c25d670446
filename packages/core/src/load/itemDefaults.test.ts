import { describe, expect, it } from 'vitest';
import { applyItemDefaults, itemDefaultsProblem, pointerSegments } from './itemDefaults.js';

describe('itemDefaults', () => {
  it('fills every item of an array; what an item says wins; objects merge, arrays are replaced', () => {
    const section = { envs: [{ name: 'cpu' }, { name: 'gpu', max: 8, tags: { a: '1' }, types: ['g5'] }] };
    const out = applyItemDefaults({ '/envs/*': { max: 64, tags: { team: 'ml' }, types: ['optimal'] } }, section);
    expect(out).toEqual({
      envs: [
        { name: 'cpu', max: 64, tags: { team: 'ml' }, types: ['optimal'] },
        { name: 'gpu', max: 8, tags: { team: 'ml', a: '1' }, types: ['g5'] },
      ],
    });
    expect(section.envs[0]).toEqual({ name: 'cpu' }); // the input is left as it was
  });

  it('reaches nested arrays and object maps, and leaves absent places alone', () => {
    const out = applyItemDefaults(
      { '/groups/*/members/*': { role: 'user' }, '/byName/*': { on: true }, '/missing/*': { x: 1 } },
      { groups: [{ members: [{ id: 1 }, { id: 2, role: 'admin' }] }], byName: { a: {}, b: { on: false } } },
    );
    expect(out).toEqual({
      groups: [
        {
          members: [
            { id: 1, role: 'user' },
            { id: 2, role: 'admin' },
          ],
        },
      ],
      byName: { a: { on: true }, b: { on: false } },
    });
  });

  it('says what is wrong with a malformed itemDefaults', () => {
    expect(pointerSegments('/a/*/b~1c')).toEqual(['a', '*', 'b/c']);
    expect(itemDefaultsProblem({ '/queues/*': { priority: 1 } })).toBeUndefined();
    expect(itemDefaultsProblem({ queues: {} })).toBe(
      'itemDefaults key "queues" is not a JSON pointer with "*" for the items, e.g. "/queues/*"',
    );
    expect(itemDefaultsProblem({ '/queues': {} })).toBe(
      'itemDefaults key "/queues" is not a JSON pointer with "*" for the items, e.g. "/queues/*"',
    );
    expect(itemDefaultsProblem({ '/queues/*': 1 })).toBe('itemDefaults["/queues/*"] must be an object of the item\'s defaults');
    expect(itemDefaultsProblem([])).toBe('itemDefaults must be an object of JSON pointer → defaults for each item');
  });
});

describe('itemDefaults in the plugin contract', () => {
  const plugin = (itemDefaults: unknown, seen: unknown[] = []) => ({
    name: 'test:queues',
    apiVersion: 1 as const,
    key: 'queues',
    schema: {
      type: 'object',
      properties: {
        list: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, priority: { type: 'integer' } } } },
      },
    },
    defaults: { list: [{ name: 'default' }] },
    optionalSection: true,
    itemDefaults: itemDefaults as Record<string, Record<string, unknown>>,
    check: (ctx: { manifest: Readonly<Record<string, unknown>> }, options: unknown) => void seen.push(options, ctx.manifest.queues),
  });
  const yaml = (section: string) => `version: 1\nstack: { name: s }\nplugins: [test-queues]\n${section}\n`;

  it('hooks, ctx.manifest and the compile result see every item completed', async () => {
    const { compileManifest } = await import('../testing.js');
    const seen: unknown[] = [];
    const result = await compileManifest(yaml('queues: { list: [{ name: a }, { name: b, priority: 9 }] }'), {
      plugins: { 'test-queues': plugin({ '/list/*': { priority: 1 } }, seen) },
    });
    const completed = {
      list: [
        { name: 'a', priority: 1 },
        { name: 'b', priority: 9 },
      ],
    };
    expect(seen).toEqual([completed, completed]);
    expect(result.manifest.queues).toEqual(completed);
    // The section's own defaults get them too.
    const fromDefaults = await compileManifest(yaml(''), { plugins: { 'test-queues': plugin({ '/list/*': { priority: 1 } }) } });
    expect(fromDefaults.manifest.queues).toEqual({ list: [{ name: 'default', priority: 1 }] });
  });

  it('a malformed itemDefaults refuses to load the plugin, naming it', async () => {
    const { compileError } = await import('../testing.js');
    const error = await compileError(yaml(''), { plugins: { 'test-queues': plugin({ list: { priority: 1 } }) } });
    expect([error.code, error.message, error.hint]).toEqual([
      'PLUGIN_INVALID',
      'plugin test:queues: itemDefaults key "list" is not a JSON pointer with "*" for the items, e.g. "/queues/*"',
      "e.g. itemDefaults: { '/queues/*': { priority: 1 } }",
    ]);
  });
});
