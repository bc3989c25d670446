/**
 * A template over 51,200 bytes even minified, deployed through the CLI with no bucket named, on a
 * moto server: mfinfra creates its managed staging bucket for the account and region once (private,
 * encrypted, staged templates expired by a lifecycle rule), says so, and the next deploy reuses it.
 *
 * moto gaps (reference/test-peers.md): the endpoint is plain http, where a TLS-only bucket policy
 * would lock the emulator itself out, so mfinfra leaves the policy off there (the policy is tested
 * with mocks in packages/core/test/deploy/templateSource.test.ts); moto ignores ExpectedBucketOwner.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s3sdk from '../../packages/core/test/helpers/s3Sdk.js';
import { useFakeAwsEnv } from '../../packages/core/test/helpers/awsEnv.js';
import { runCli } from '../../packages/core/test/helpers/runCli.js';
import { countingProxy, motoAvailable, startMoto, type MotoServer } from '../helpers/moto.js';

// Enough SQS queues with long names that even the minified template is over 51,200 bytes.
const PLUGIN = `
export default {
  name: 'e2e:many-queues',
  apiVersion: 1,
  key: 'queues',
  schema: { type: 'object', properties: { count: { type: 'integer' }, visibilityTimeout: { type: 'integer' } } },
  resources(ctx, options) {
    const out = {};
    for (let i = 0; i < options.count; i++) {
      out['QueueWithALongLogicalIdSoTheTemplateGetsLarge' + i] = {
        Type: 'AWS::SQS::Queue',
        Properties: { VisibilityTimeout: options.visibilityTimeout, SqsManagedSseEnabled: true, MessageRetentionPeriod: 345600 },
      };
    }
    return out;
  },
};
`;

const ACCOUNT = '123456789012'; // moto's account
const BUCKET = `mfinfra-templates-${ACCOUNT}-us-east-1`;

describe.skipIf(!motoAvailable())("mfinfra's managed staging bucket, on moto", () => {
  let moto: MotoServer;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let dir: string;
  let endpoint: string;
  let restoreEnv: () => void = () => {};
  const stackName = `mfinfra-big-${process.pid}`;
  const manifest = (visibilityTimeout: number) =>
    `version: 1\nstack: { name: ${stackName}, region: us-east-1 }\nplugins: [./many.mjs]\nqueues: { count: 260, visibilityTimeout: ${visibilityTimeout} }\noutputs: { metaflowConfig: { enabled: false } }\n`;
  const s3 = () =>
    new s3sdk.S3Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  // S3 calls on the bucket itself (CreateBucket, PutPublicAccessBlock, …), not on objects in it.
  const bucketCalls = () => proxy.calls.filter((c) => c === `S3 PUT /${BUCKET}/`).length;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await countingProxy(moto.port);
    endpoint = `http://127.0.0.1:${proxy.port}`;
    dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-managed-'));
    writeFileSync(path.join(dir, 'many.mjs'), PLUGIN);
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), manifest(30));
    restoreEnv = useFakeAwsEnv();
  });

  afterAll(async () => {
    restoreEnv();
    await proxy?.close();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the template is over 51,200 bytes minified', async () => {
    const r = await runCli(['validate', dir, '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.stats.deployBytes, r.stdout).toBeGreaterThan(51_200);
    expect(out.stats.needsS3Upload).toBe(true);
  });

  it('apply --yes with no bucket named: creates the managed bucket, says so, deploys from it', async () => {
    const r = await runCli(['apply', dir, '--yes', '--endpoint-url', endpoint]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `uploaded the template \\([\\d,]+ bytes minified, over the 51,200 CloudFormation takes inline\\) to mfinfra's managed staging bucket: s3://${BUCKET}/mfinfra/${stackName}/[0-9a-f]{32}\\.json \\(created it for this account and region`,
      ),
    );
    // CreateBucket, PutPublicAccessBlock, PutBucketEncryption, PutBucketLifecycleConfiguration (no TLS policy on plain http).
    expect(bucketCalls(), proxy.calls.filter((c) => c.startsWith('S3')).join('\n')).toBe(4);
    const client = s3();
    const { Buckets } = await client.send(new s3sdk.ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toEqual([BUCKET]);
    const encryption = await client.send(new s3sdk.GetBucketEncryptionCommand({ Bucket: BUCKET }));
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    const block = await client.send(new s3sdk.GetPublicAccessBlockCommand({ Bucket: BUCKET }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const lifecycle = await client.send(new s3sdk.GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    expect(lifecycle.Rules?.[0]).toMatchObject({ ID: 'mfinfra-expire-staged-templates', Status: 'Enabled', Expiration: { Days: 30 } });
  });

  it('the next apply reuses the bucket: no bucket call, one more staged template, still one bucket', async () => {
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), manifest(60));
    const before = bucketCalls();
    const r = await runCli(['apply', dir, '--yes', '--endpoint-url', endpoint]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`to mfinfra's managed staging bucket: s3://${BUCKET}/mfinfra/${stackName}/`);
    expect(r.stderr).not.toContain('created it for this account and region');
    expect(bucketCalls()).toBe(before);
    const client = s3();
    expect((await client.send(new s3sdk.ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([BUCKET]);
    const objects = await client.send(new s3sdk.ListObjectsV2Command({ Bucket: BUCKET, Prefix: `mfinfra/${stackName}/` }));
    expect(objects.KeyCount).toBe(2);
  });

  it('mfinfra destroy --yes deletes the stack; the managed bucket stays for the next deployment', async () => {
    const r = await runCli(['destroy', dir, '--yes', '--endpoint-url', endpoint]);
    expect(r.code, r.stderr).toBe(0);
    expect((await s3().send(new s3sdk.ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([BUCKET]);
  });
});
