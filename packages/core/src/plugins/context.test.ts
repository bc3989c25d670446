import { describe, expect, it } from 'vitest';
import { compileError, compileManifest } from '../testing.js';
import { definePlugin, ref } from '../plugin.js';

const provider = definePlugin<{ size: number }, { topic: unknown }>({
  name: 'test:provider',
  apiVersion: 1,
  key: 'provider',
  optionalSection: true,
  schema: { type: 'object', properties: { size: { type: 'integer' } } },
  defaults: { size: 2 },
  api: () => ({ topic: ref('ProviderTopic') }),
  resources: () => ({ ProviderTopic: { Type: 'AWS::SNS::Topic' } }),
});

describe('plugin context', () => {
  it('gives a plugin the api of plugins it uses, and undefined for optional ones not loaded', async () => {
    const seen: unknown[] = [];
    const reader = definePlugin({
      name: 'test:reader',
      apiVersion: 1,
      key: 'reader',
      optionalSection: true,
      schema: { type: 'object' },
      uses: ['provider', 'absent'],
      resources(ctx) {
        seen.push(ctx.use('provider'), ctx.use('absent'), [...ctx.loaded].sort());
        return {};
      },
    });
    await compileManifest('version: 1\nstack: { name: s }\nplugins: [reader, provider]\n', { plugins: { reader, provider } });
    expect(seen).toEqual([{ topic: { Ref: 'ProviderTopic' } }, undefined, ['provider', 'reader']]);
  });

  it('refuses to read the api of a plugin that was not declared, naming plugin and hook', async () => {
    const sneaky = definePlugin({
      name: 'test:sneaky',
      apiVersion: 1,
      key: 'sneaky',
      optionalSection: true,
      schema: { type: 'object' },
      resources(ctx) {
        ctx.use('provider');
        return {};
      },
    });
    const err = await compileError('version: 1\nstack: { name: s }\nplugins: [provider, sneaky]\n', { plugins: { sneaky, provider } });
    expect(err.code).toBe('PLUGIN_ERROR');
    expect(err.plugin).toBe('test:sneaky');
    expect(err.hook).toBe('resources');
    expect(err.message).toContain('without declaring it in requires or uses');
  });

  it('gives frozen options with defaults applied', async () => {
    let frozen = false;
    const probe = definePlugin<{ size: number }>({
      ...(provider as object),
      name: 'test:probe',
      key: 'probe',
      apiVersion: 1,
      schema: { type: 'object', properties: { size: { type: 'integer' } } },
      defaults: { size: 2 },
      optionalSection: true,
      resources(_ctx, o) {
        frozen = Object.isFrozen(o) && o.size === 2;
        return {};
      },
    });
    await compileManifest('version: 1\nstack: { name: s }\nplugins: [probe]\n', { plugins: { probe } });
    expect(frozen).toBe(true);
  });

  it('keeps a plugin code and position from ctx.report in warnings and errors', async () => {
    const warner = definePlugin<{ size: number }>({
      name: 'test:warner',
      apiVersion: 1,
      key: 'warner',
      schema: { type: 'object', properties: { size: { type: 'integer' } } },
      check(ctx, o) {
        ctx.warn('size 1 is slow', { path: ['size'], code: 'SLOW' });
        if (o.size < 1) ctx.report('size must be positive', { path: ['size'], code: 'NEGATIVE' });
      },
    });
    const ok = await compileManifest('version: 1\nstack: { name: s }\nplugins: [warner]\nwarner:\n  size: 1\n', { plugins: { warner } });
    expect(ok.warnings.map((w) => [w.message, w.pluginCode, w.loc?.line, w.loc?.column])).toEqual([['size 1 is slow', 'SLOW', 5, 9]]);
    const err = await compileError('version: 1\nstack: { name: s }\nplugins: [warner]\nwarner:\n  size: -1\n', { plugins: { warner } });
    expect([err.message, err.pluginCode, err.loc?.line, err.hook]).toEqual(['size must be positive', 'NEGATIVE', 5, 'check']);
  });
});

describe('resolve', () => {
  it('turns the section into the model once; api, resources, outputs and stackOutputs receive that model', async () => {
    const seen: unknown[] = [];
    let resolved = 0;
    const counter = definePlugin<{ names: string[] }, { count: number }, { ids: string[] }>({
      name: 'test:counter',
      apiVersion: 1,
      key: 'counter',
      schema: { type: 'object', properties: { names: { type: 'array', items: { type: 'string' } } } },
      defaults: { names: ['a', 'b'] },
      optionalSection: true,
      resolve(ctx, o) {
        resolved++;
        return { ids: o.names.map((n) => ctx.naming.logicalId('counter', n, 'Queue')) };
      },
      api(_ctx, _o, model) {
        seen.push(model);
        return { count: model.ids.length };
      },
      resources(_ctx, _o, model) {
        seen.push(model);
        return Object.fromEntries(model.ids.map((id) => [id, { Type: 'AWS::SQS::Queue' }]));
      },
      outputs(_ctx, _o, model) {
        seen.push(model);
        return {};
      },
      stackOutputs(_ctx, _o, model) {
        seen.push(model);
        return {};
      },
    });
    const result = await compileManifest('version: 1\nstack: { name: s }\nplugins: [counter]\n', { plugins: { counter } });
    expect(resolved).toBe(1);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(1);
    expect(Object.keys(result.template.Resources)).toEqual(['CounterAQueue', 'CounterBQueue']);
  });
});
