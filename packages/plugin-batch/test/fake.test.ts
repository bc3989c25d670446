/**
 * Core's stand-in for this plugin (`fakeBatch` in `@mfinfra/core/testing`), which other plugins'
 * tests compile against, gives what this plugin gives: the same fields with the same kinds of value.
 */
import type { Plugin } from '@mfinfra/core/plugin';
import { apiReader, compileManifest, fakeBatch, fakeDatastore, fakeNetwork, type FakeBatchApi } from '@mfinfra/core/testing';
import { expect, expectTypeOf, it } from 'vitest';
import batchPlugin, { type BatchApi } from '../src/index.js';

const reader = apiReader<BatchApi>('batch');

async function fieldsOf(batch: Plugin<any, any>): Promise<string[]> {
  const yaml = 'version: 1\nstack: { name: mf-fake, region: us-west-2 }\nplugins: [network, datastore, batch, reader]\n';
  await compileManifest(yaml, { plugins: { network: fakeNetwork(), datastore: fakeDatastore(), batch, reader: reader.plugin } });
  return Object.entries(reader.seen.at(-1)!)
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
