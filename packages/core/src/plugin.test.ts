import { describe, expectTypeOf, it } from 'vitest';
import { definePlugin, type PluginContext } from './plugin.js';

interface NetApi {
  vpcId: string;
}

describe('the types of ctx.use', () => {
  it('types a requires key as present and a uses key as possibly absent when definePlugin infers them', () => {
    definePlugin({
      name: 'test:typed',
      apiVersion: 1,
      key: 'typed',
      schema: { type: 'object' },
      requires: ['network'],
      uses: ['batch'],
      check(ctx) {
        expectTypeOf(ctx.use<NetApi>('network')).toEqualTypeOf<NetApi>();
        expectTypeOf(ctx.use<NetApi>('batch')).toEqualTypeOf<NetApi | undefined>();
        // @ts-expect-error: "datastore" is declared in neither requires nor uses
        ctx.use('datastore');
      },
    });
  });

  it('types a uses key as possibly absent when only uses is given', () => {
    definePlugin({
      name: 'test:uses-only',
      apiVersion: 1,
      key: 'usesOnly',
      schema: { type: 'object' },
      uses: ['batch'],
      resources(ctx) {
        expectTypeOf(ctx.use<NetApi>('batch')).toEqualTypeOf<NetApi | undefined>();
        return {};
      },
    });
  });

  it('keeps every key typed as present for plugins that give only <Options, Api>', () => {
    definePlugin<{ size: number }, NetApi>({
      name: 'test:explicit',
      apiVersion: 1,
      key: 'explicit',
      schema: { type: 'object' },
      uses: ['batch'],
      api: (ctx) => ctx.use<NetApi>('batch'),
    });
    expectTypeOf<ReturnType<PluginContext['use']>>().toEqualTypeOf<unknown>();
  });
});
