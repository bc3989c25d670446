/**
 * Core's stand-in for this plugin (`fakeDatastore` in `@mfinfra/core/testing`), which other plugins'
 * tests compile against, gives what this plugin gives: the same fields, the same statement ids.
 */
import type { Plugin } from '@mfinfra/core/plugin';
import { apiReader, compileManifest, fakeDatastore, type FakeDatastoreApi } from '@mfinfra/core/testing';
import { expect, expectTypeOf, it } from 'vitest';
import datastore, { type DatastoreApi } from '../src/index.js';

const reader = apiReader<DatastoreApi>('datastore');
const manifest = (section: string) =>
  `version: 1\nstack: { name: mf-fake, region: us-west-2 }\nplugins: [datastore, reader]\ndatastore: ${section}\n`;

/** Each field with the kind of its value, and the statements' ids and actions. */
async function shapeOf(plugin: Plugin<any, any>, section: string) {
  await compileManifest(manifest(section), { plugins: { datastore: plugin, reader: reader.plugin } });
  const api = reader.seen.at(-1)!;
  return {
    fields: Object.entries(api)
      .map(([k, v]) => `${k}: ${typeof v}`)
      .sort(),
    statements: api.readWriteStatements().map((s) => [s.Sid, s.Effect, s.Action]),
  };
}

it('fakeDatastore has the DatastoreApi type', () => {
  expectTypeOf<FakeDatastoreApi>().toMatchTypeOf<DatastoreApi>();
  expectTypeOf<DatastoreApi>().toMatchTypeOf<FakeDatastoreApi>();
});

it('fakeDatastore gives the fields and statements of an SSE-S3 and an SSE-KMS datastore', async () => {
  expect(await shapeOf(fakeDatastore(), '{}')).toEqual(await shapeOf(datastore, '{}'));
  expect(await shapeOf(fakeDatastore(), '{ kms: true }')).toEqual(
    await shapeOf(datastore, '{ bucket: { encryption: { type: sse-kms } } }'),
  );
});
