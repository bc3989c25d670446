/**
 * Core's stand-in for this plugin (`fakeBatch` in `@mfinfra/core/testing`), which other plugins'
 * tests compile against, gives what this plugin gives: the same fields with the same kinds of value.
 */
import { compileManifest, fakeBatch, fakeDatastore, fakeNetwork, fakePlugin, type FakeBatchApi } from '@mfinfra/core/testing';
import type { Plugin } from '@mfinfra/core/plugin';
import { expect, expectTypeOf, it } from 'vitest';
import batchPlugin, { type BatchApi } from '../src/index.js';

const seen: { api?: BatchApi } = {};
const probe = fakePlugin({
  key: 'probe',
  requires: ['batch'],
  resources: (ctx) => {
    seen.api = ctx.use<BatchApi>('batch');
    return {};
  },
});

async function fieldsOf(batch: Plugin<any, any>): Promise<string[]> {
  const yaml = 'version: 1\nstack: { name: mf-fake, region: us-west-2 }\nplugins: [network, datastore, batch, probe]\n';
  await compileManifest(yaml, { plugins: { network: fakeNetwork(), datastore: fakeDatastore(), batch, probe } });
  return Object.entries(seen.api!)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? 'array' : typeof v}`)
    .sort();
}

it('fakeBatch has the BatchApi type', () => {
  expectTypeOf<FakeBatchApi>().toMatchTypeOf<BatchApi>();
  expectTypeOf<BatchApi>().toMatchTypeOf<FakeBatchApi>();
});

it('fakeBatch gives the fields batch gives for EC2 compute in a network', async () => {
  expect(await fieldsOf(fakeBatch())).toEqual(await fieldsOf(batchPlugin));
});
