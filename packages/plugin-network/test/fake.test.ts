/**
 * Core's stand-in for this plugin (`fakeNetwork` in `@mfinfra/core/testing`), which other plugins'
 * tests compile against, gives what this plugin gives: the same fields with the same kinds of value.
 */
import { compileManifest, fakeNetwork, type FakeNetworkApi, type FakeNetworkOptions } from '@mfinfra/core/testing';
import { expect, expectTypeOf, it } from 'vitest';
import type { NetworkApi } from '../src/index.js';
import { compile, consumer, seen } from './helpers.js';
import { variants } from './variants.js';

const shape = (api: object | undefined) =>
  Object.entries(api ?? {})
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `${typeof v[0]}[]` : typeof v}`)
    .sort();

it('fakeNetwork has the NetworkApi type', () => {
  expectTypeOf<FakeNetworkApi>().toMatchTypeOf<NetworkApi>();
  expectTypeOf<NetworkApi>().toMatchTypeOf<FakeNetworkApi>();
});

it.each<[string, FakeNetworkOptions]>([
  ['create-public', {}],
  ['create-private-single-nat', { private: true }],
  ['existing', { mode: 'existing', private: true, cidr: '172.31.0.0/16', securityGroupIds: ['sg-0123456789abcdef0'] }],
])('fakeNetwork gives the fields %s gives', async (variant, options) => {
  await compile(variants[variant]!);
  const real = seen.api;
  await compileManifest(variants[variant]!, { plugins: { network: fakeNetwork(options), consumer } });
  expect(shape(seen.api)).toEqual(shape(real));
  expect({ isPrivate: seen.api?.isPrivate, assignPublicIp: seen.api?.assignPublicIp, mode: seen.api?.mode }).toEqual({
    isPrivate: real?.isPrivate,
    assignPublicIp: real?.assignPublicIp,
    mode: real?.mode,
  });
});
