import { describe, expect, it } from 'vitest';
import { compile } from './helpers.js';
import { variants } from './variants.js';

describe('datastore templates', () => {
  for (const [name, yaml] of Object.entries(variants)) {
    it(`compiles ${name} to the expected template`, async () => {
      const result = await compile(yaml);
      expect(result.warnings).toEqual([]);
      await expect(result.body).toMatchFileSnapshot(`__snapshots__/${name}.template.json`);
    });
  }

  it('compiles byte-identical templates for the same manifest', async () => {
    for (const yaml of Object.values(variants)) {
      const [a, b] = [await compile(yaml), await compile(yaml)];
      expect(a.body).toBe(b.body);
    }
  });

  it('treats an empty bucket: like no datastore section at all', async () => {
    const bare = await compile(variants.minimal!);
    const empty = await compile(`${variants.minimal!}datastore:\n  bucket:\n`);
    expect(empty.template.Resources).toEqual(bare.template.Resources);
  });

  it('keeps the bucket and the created key on stack deletion and replacement', async () => {
    const { template } = await compile(variants['sse-kms-created-key']!);
    for (const id of ['DatastoreBucket', 'DatastoreKey']) {
      expect(template.Resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  it('gives the bucket the same logical id whatever the stack is called, and no name unless asked', async () => {
    const a = await compile(variants.minimal!);
    const b = await compile(variants.minimal!.replace('metaflow-minimal', 'another-stack'));
    expect(Object.keys(a.template.Resources)).toEqual([
      'ConsumerPolicy',
      'DatastoreAccessLogsBucket',
      'DatastoreAccessLogsBucketPolicy',
      'DatastoreBucket',
      'DatastoreBucketPolicy',
    ]);
    expect(Object.keys(b.template.Resources)).toEqual(Object.keys(a.template.Resources));
    expect(a.template.Resources.DatastoreBucket!.Properties!.BucketName).toBeUndefined();
  });

  it('logs server access to a created log bucket by default: private, SSE-S3, TLS-only, expiring, kept, written only by S3 logging for this bucket', async () => {
    const { template } = await compile(variants.minimal!);
    const r = template.Resources;
    expect(r.DatastoreBucket!.Properties!.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: 'DatastoreAccessLogsBucket' },
      LogFilePrefix: 'datastore/',
    });
    const logBucket = r.DatastoreAccessLogsBucket!;
    expect(logBucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(logBucket.Properties!.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(logBucket.Properties!.LifecycleConfiguration).toMatchObject({ Rules: [{ Id: 'ExpireAccessLogs', ExpirationInDays: 90 }, {}] });
    expect(logBucket.Metadata).toMatchObject({ checkov: { skip: [{ id: 'CKV_AWS_18' }] } });
    const statements = (r.DatastoreAccessLogsBucketPolicy!.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Sub': '${DatastoreAccessLogsBucket.Arn}/datastore/*' },
      Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['DatastoreBucket', 'Arn'] } } },
    });
    expect(statements[1]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('logs to a given bucket without creating one, and not at all when accessLogs is false', async () => {
    const given = (await compile(variants['access-logs-given-bucket']!)).template.Resources;
    expect(given.DatastoreAccessLogsBucket).toBeUndefined();
    expect(given.DatastoreBucket!.Properties!.LoggingConfiguration).toEqual({
      DestinationBucketName: 'acme-central-s3-logs',
      LogFilePrefix: 'metaflow/datastore/',
    });
    const off = (await compile(variants['access-logs-off']!)).template.Resources;
    expect(Object.keys(off)).toEqual(['ConsumerPolicy', 'DatastoreBucket', 'DatastoreBucketPolicy']);
    expect(off.DatastoreBucket!.Properties!.LoggingConfiguration).toBeUndefined();
  });

  it('creates nothing for an existing bucket but still gives every output and the api', async () => {
    const { template, configOutputs } = await compile(variants.existing!);
    expect(Object.keys(template.Resources)).toEqual(['ConsumerPolicy']);
    expect(Object.fromEntries(configOutputs.map((c) => [c.key, c.value]))).toEqual({
      METAFLOW_DATASTORE_SYSROOT_S3: 's3://legacy-metaflow-bucket/metaflow/prod',
      METAFLOW_DATATOOLS_S3ROOT: 's3://legacy-metaflow-bucket/metaflow/prod/data',
      METAFLOW_DEFAULT_DATASTORE: 's3',
    });
  });

  it('writes METAFLOW_DATATOOLS_S3ROOT explicitly as <sysroot>/data by default, as Metaflow assumes', async () => {
    const { configOutputs } = await compile(variants.minimal!);
    expect(configOutputs.map((c) => [c.key, c.value])).toEqual([
      ['METAFLOW_DATASTORE_SYSROOT_S3', { 'Fn::Sub': 's3://${DatastoreBucket}/metaflow' }],
      ['METAFLOW_DATATOOLS_S3ROOT', { 'Fn::Sub': 's3://${DatastoreBucket}/metaflow/data' }],
      ['METAFLOW_DEFAULT_DATASTORE', 's3'],
    ]);
  });

  it('grants KMS use in readWriteStatements only when the bucket uses SSE-KMS', async () => {
    const statements = async (yaml: string) =>
      (
        (await compile(yaml)).template.Resources.ConsumerPolicy!.Properties!.PolicyDocument as {
          Statement: { Sid: string; Resource: unknown }[];
        }
      ).Statement;
    expect((await statements(variants.minimal!)).map((s) => s.Sid)).toEqual([
      'MetaflowDatastoreListBucket',
      'MetaflowDatastoreReadWriteObjects',
    ]);
    expect((await statements(variants['sse-kms-given-key']!)).at(-1)).toEqual({
      Sid: 'MetaflowDatastoreUseKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    expect((await statements(variants['sse-kms-created-key']!)).at(-1)!.Resource).toEqual({ 'Fn::GetAtt': ['DatastoreKey', 'Arn'] });
  });
});
