import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSchema } from '@mfinfra/core';
import { cfnLint, cfnLintAvailable, compileManifest } from '@mfinfra/core/testing';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/minimal');
const manifest = path.join(dir, 'metaflow.infra.yaml');
const lint = cfnLintAvailable();

describe('examples/minimal', () => {
  it('compiles with the datastore plugin resolved by its short name', async () => {
    const result = await compileManifest(await readFile(manifest, 'utf8'), { cwd: dir });
    expect(result.plugins.map((p) => [p.name, p.kind])).toEqual([['mfinfra:datastore', 'first-party']]);
    expect(result.warnings).toEqual([]);
    expect(Object.keys(result.template.Resources)).toEqual([
      'DatastoreAccessLogsBucket',
      'DatastoreAccessLogsBucketPolicy',
      'DatastoreBucket',
      'DatastoreBucketPolicy',
    ]);
    expect(result.configOutputs.map((c) => [c.key, c.value])).toEqual([
      ['METAFLOW_DATASTORE_SYSROOT_S3', { 'Fn::Sub': 's3://${DatastoreBucket}/metaflow' }],
      ['METAFLOW_DATATOOLS_S3ROOT', { 'Fn::Sub': 's3://${DatastoreBucket}/metaflow/data' }],
      ['METAFLOW_DEFAULT_DATASTORE', 's3'],
    ]);
    if (lint) expect(await cfnLint({ minimal: result.body })).toEqual({ minimal: [] });
  });

  it('ships an editor schema that matches what `mfinfra schema` generates', async () => {
    const { schema } = await getSchema({ manifest: dir });
    const shipped = JSON.parse(await readFile(path.join(dir, 'metaflow.infra.schema.json'), 'utf8'));
    expect(shipped, 'examples/minimal/metaflow.infra.schema.json is stale: regenerate it (see examples/minimal/README.md)').toEqual(schema);
    expect((await readFile(manifest, 'utf8')).split('\n')[0]).toBe('# yaml-language-server: $schema=./metaflow.infra.schema.json');
  });
});
