/**
 * The live checks of `existing:` sections (the plugins' verify hooks) against a moto server that
 * holds real Batch queues, IAM roles, DynamoDB tables, S3 buckets and API Gateway keys, and
 * examples/reuse-existing deployed through the CLI, its Metaflow config written from what exists.
 *
 * moto gaps met here (reference/test-peers.md): a managed Batch compute environment needs a
 * ServiceRole property in moto; these tests make an UNMANAGED one with a service role shim, which is
 * enough for a job queue moto reports VALID and ENABLED.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compile } from '../../packages/core/src/index.js';
import { awsAccess, errorOf, problemsOf, verifyManifest } from '../../packages/core/src/testing.js';
import * as cfnSdk from '../../packages/core/test/helpers/cloudformationSdk.js';
import { useFakeAwsEnv } from '../../packages/core/test/helpers/awsEnv.js';
import { runCli } from '../../packages/core/test/helpers/runCli.js';
import { motoAvailable, startMoto, type MotoServer } from '../helpers/moto.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The SDK clients the plugins depend on (the repository root has none of its own).
const from = (pkg: string) => createRequire(path.join(repo, 'packages', pkg, 'package.json'));
const batchSdk = from('plugin-batch')('@aws-sdk/client-batch');
const iamSdk = from('plugin-batch')('@aws-sdk/client-iam');
const ddbSdk = from('plugin-scheduling')('@aws-sdk/client-dynamodb');
const s3Sdk = from('plugin-datastore')('@aws-sdk/client-s3');
const apigwSdk = from('plugin-metadata')('@aws-sdk/client-api-gateway');
const smSdk = from('plugin-metadata')('@aws-sdk/client-secrets-manager');

const REGION = 'us-west-2';
const ACCOUNT = '123456789012';
const example = readFileSync(path.join(repo, 'examples/reuse-existing/metaflow.infra.yaml'), 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const trust = (service: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

describe.skipIf(!motoAvailable())('existing: sections checked against AWS (moto)', () => {
  let moto: MotoServer;
  let apiKeyId = '';
  let restoreEnv: () => void = () => {};
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-reuse-moto-'));
  /** An SDK client on moto (loaded by require from the plugins' own dependencies, so typed loosely). */
  const config = (Client: new (c: object) => any): any =>
    new Client({
      region: REGION,
      endpoint: moto.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      forcePathStyle: true,
    });

  /** What a manual deployment (Metaflow's guide) leaves in the account, plus a few wrong things. */
  async function seedAccount(): Promise<void> {
    await moto.reset();
    const iam = config(iamSdk.IAMClient);
    for (const [name, service] of [
      ['metaflow-batch-role', 'ecs-tasks.amazonaws.com'],
      ['metaflow-step-functions', 'states.amazonaws.com'],
      ['metaflow-eventbridge', 'events.amazonaws.com'],
      ['lambda-role', 'lambda.amazonaws.com'],
      ['batch-service', 'batch.amazonaws.com'],
    ])
      await iam.send(new iamSdk.CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(service!) }));
    const batch = config(batchSdk.BatchClient);
    const ce = await batch.send(
      new batchSdk.CreateComputeEnvironmentCommand({
        computeEnvironmentName: 'metaflow-ce',
        type: 'UNMANAGED',
        serviceRole: `arn:aws:iam::${ACCOUNT}:role/batch-service`,
      }),
    );
    for (const [name, state] of [
      ['metaflow-queue', 'ENABLED'],
      ['paused-queue', 'DISABLED'],
    ])
      await batch.send(
        new batchSdk.CreateJobQueueCommand({
          jobQueueName: name,
          state,
          priority: 1,
          computeEnvironmentOrder: [{ order: 1, computeEnvironment: ce.computeEnvironmentArn }],
        }),
      );
    const ddb = config(ddbSdk.DynamoDBClient);
    for (const [name, key] of [
      ['metaflow-step-functions-state', 'pathspec'],
      ['other-table', 'id'],
    ]) {
      await ddb.send(
        new ddbSdk.CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        }),
      );
    }
    await ddb.send(
      new ddbSdk.UpdateTimeToLiveCommand({
        TableName: 'metaflow-step-functions-state',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' },
      }),
    );
    await config(s3Sdk.S3Client).send(
      new s3Sdk.CreateBucketCommand({ Bucket: 'metaflow-s3', CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    const key = await config(apigwSdk.APIGatewayClient).send(
      new apigwSdk.CreateApiKeyCommand({ name: 'metaflow', enabled: true, value: 'the-metaflow-service-key-0123456789' }),
    );
    apiKeyId = key.id;
    await config(smSdk.SecretsManagerClient).send(
      new smSdk.CreateSecretCommand({
        Name: 'metaflow/service-key',
        SecretString: JSON.stringify({ key: 'the-key-from-the-secret-9876' }),
      }),
    );
  }

  /** The example with the API key id moto gave, and any other replacements. */
  function manifest(...edits: [string, string][]): string {
    let text = example.replace('apiKeyId: k1l2m3n4o5', `apiKeyId: ${apiKeyId}`);
    for (const [a, b] of edits) {
      expect(text.split(a).length, a).toBe(2);
      text = text.replace(a, b);
    }
    return text;
  }
  const compileText = (text: string) => compile({ text, cwd: path.join(repo, 'examples'), manifest: 'metaflow.infra.yaml' });

  beforeAll(async () => {
    moto = await startMoto();
    restoreEnv = useFakeAwsEnv({ METAFLOW_HOME: path.join(scratch, 'metaflow-home') }, [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ENDPOINT_URL',
    ]);
  }, 60_000);

  afterAll(async () => {
    restoreEnv();
    await moto?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  beforeEach(seedAccount, 60_000);

  it('passes for what the manual deployment made: queue VALID and ENABLED, roles trusting their services, the pathspec table with TTL on ttl, the bucket, the key', async () => {
    const compiled = await compileText(manifest());
    await expect(verifyManifest(compiled, await awsAccess({ endpoint: moto.endpoint, region: REGION }))).resolves.toBeUndefined();
  });

  it('reports each wrong thing at its line with what AWS holds: a queue that does not exist, a role trusting another service, a table with another key', async () => {
    const text = manifest(
      ['jobQueue: metaflow-queue', 'jobQueue: no-such-queue'],
      [
        'stepFunctionsRole: arn:aws:iam::123456789012:role/metaflow-step-functions',
        'stepFunctionsRole: arn:aws:iam::123456789012:role/lambda-role',
      ],
      ['table: metaflow-step-functions-state', 'table: other-table'],
    );
    const e = await errorOf(verifyManifest(await compileText(text), await awsAccess({ endpoint: moto.endpoint, region: REGION })));
    expect(e.exitCode).toBe(3);
    expect(problemsOf(e).map((p) => `${p.at} ${p.pluginCode} ${p.message}`)).toEqual([
      `metaflow.infra.yaml:${lineOf(text, 'jobQueue:')}:15 BATCH_QUEUE_NOT_FOUND job queue no-such-queue does not exist in us-west-2`,
      `metaflow.infra.yaml:${lineOf(text, 'stepFunctionsRole:')}:24 SCHEDULING_ROLE_WRONG_TRUST role arn:aws:iam::123456789012:role/lambda-role does not trust states.amazonaws.com: its trust policy lets lambda.amazonaws.com assume it`,
      `metaflow.infra.yaml:${lineOf(text, 'table:')}:12 SCHEDULING_TABLE_WRONG_KEY DynamoDB table other-table has the key id (HASH, S); Metaflow needs one partition key pathspec (a string), no sort key`,
    ]);
  });

  it('reports a disabled queue, a missing role, a table without TTL, a missing bucket and a missing API key', async () => {
    await config(ddbSdk.DynamoDBClient).send(
      new ddbSdk.UpdateTimeToLiveCommand({
        TableName: 'metaflow-step-functions-state',
        TimeToLiveSpecification: { Enabled: false, AttributeName: 'ttl' },
      }),
    );
    const text = manifest(
      ['jobQueue: metaflow-queue', 'jobQueue: paused-queue'],
      ['jobRole: arn:aws:iam::123456789012:role/metaflow-batch-role', 'jobRole: arn:aws:iam::123456789012:role/gone-role'],
      ['bucket: metaflow-s3', 'bucket: no-such-bucket-here'],
      [`apiKeyId: ${apiKeyId}`, 'apiKeyId: zzzzzzzzzz'],
    );
    const e = await errorOf(verifyManifest(await compileText(text), await awsAccess({ endpoint: moto.endpoint, region: REGION })));
    expect(problemsOf(e).map((p) => `${(p.at ?? '').split(':').slice(1, 2)} ${p.pluginCode}`)).toEqual([
      `${lineOf(text, 'bucket:')} DATASTORE_BUCKET_NOT_FOUND`,
      `${lineOf(text, 'jobQueue:')} BATCH_QUEUE_NOT_USABLE`,
      `${lineOf(text, 'jobRole:')} BATCH_ROLE_NOT_FOUND`,
      `${lineOf(text, 'apiKeyId:')} METADATA_API_KEY_NOT_FOUND`,
      `${lineOf(text, 'table:')} SCHEDULING_TABLE_NO_TTL`,
    ]);
    expect(problemsOf(e).find((p) => p.pluginCode === 'BATCH_QUEUE_NOT_USABLE')?.message).toBe(
      'job queue paused-queue is DISABLED and VALID; Metaflow needs it ENABLED and VALID',
    );
  });

  it('a Secrets Manager authKey: a missing secret is METADATA_SECRET_NOT_FOUND at its line; an existing one passes', async () => {
    const bySecret = (name: string) => manifest([`apiKeyId: ${apiKeyId}`, `secret: ${name}\n      jsonKey: key`]);
    const access = await awsAccess({ endpoint: moto.endpoint, region: REGION });
    await expect(verifyManifest(await compileText(bySecret('metaflow/service-key')), access)).resolves.toBeUndefined();
    const text = bySecret('metaflow/no-such-secret');
    const e = await errorOf(verifyManifest(await compileText(text), access));
    expect(problemsOf(e).map((p) => `${(p.at ?? '').split(':').slice(1, 2)} ${p.pluginCode} ${p.message}`)).toEqual([
      `${lineOf(text, 'secret:')} METADATA_SECRET_NOT_FOUND secret metaflow/no-such-secret does not exist in us-west-2`,
    ]);
  });

  describe('through the CLI', () => {
    function project(text: string): string {
      const dir = mkdtempSync(path.join(scratch, 'project-'));
      writeFileSync(path.join(dir, 'metaflow.infra.yaml'), text);
      symlinkSync(path.join(repo, 'examples', 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      return dir;
    }
    const stacks = async () => {
      const cfn = config(cfnSdk.CloudFormationClient);
      return ((await cfn.send(new cfnSdk.ListStacksCommand({}))).StackSummaries ?? []).filter(
        (s: { StackStatus?: string }) => s.StackStatus !== 'DELETE_COMPLETE',
      );
    };

    it('plan of a manifest naming a queue that does not exist: exit 3 at the line, no change set, no stack, nothing written', async () => {
      const text = manifest(['jobQueue: metaflow-queue', 'jobQueue: no-such-queue']);
      const dir = project(text);
      const r = await runCli(['plan', dir, '--endpoint-url', moto.endpoint]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('job queue no-such-queue does not exist in us-west-2');
      expect(r.stderr).toContain(`metaflow.infra.yaml:${lineOf(text, 'jobQueue:')}:15`);
      expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/); // no stack trace
      expect(await stacks()).toEqual([]);
      expect(existsSync(path.join(dir, '.mfinfra'))).toBe(false);
    }, 60_000);

    it('apply with the auth key in a Secrets Manager secret (a JSON field): the config gets the field, never printed', async () => {
      const dir = project(manifest([`apiKeyId: ${apiKeyId}`, 'secret: metaflow/service-key\n      jsonKey: key']));
      const r = await runCli(['apply', dir, '--yes', '--endpoint-url', moto.endpoint]);
      expect(r.stderr).not.toContain('error');
      expect(r.code).toBe(0);
      const config = JSON.parse(readFileSync(path.join(process.env.METAFLOW_HOME!, 'config.json'), 'utf8'));
      expect(config.METAFLOW_SERVICE_AUTH_KEY).toBe('the-key-from-the-secret-9876');
      expect(r.stdout + r.stderr).not.toContain('the-key-from-the-secret-9876');
    }, 120_000);

    it('apply of examples/reuse-existing creates nothing and writes the Metaflow config from what exists, the auth key read from API Gateway', async () => {
      const dir = project(manifest());
      const r = await runCli(['apply', dir, '--yes', '--endpoint-url', moto.endpoint]);
      expect(r.stderr).not.toContain('error');
      expect(r.code).toBe(0);
      const file = path.join(process.env.METAFLOW_HOME!, 'config.json');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
        METAFLOW_BATCH_JOB_QUEUE: 'metaflow-queue',
        METAFLOW_DATASTORE_SYSROOT_S3: 's3://metaflow-s3/flows',
        METAFLOW_DATATOOLS_S3ROOT: 's3://metaflow-s3/data-tools',
        METAFLOW_DEFAULT_DATASTORE: 's3',
        METAFLOW_DEFAULT_METADATA: 'service',
        METAFLOW_ECS_S3_ACCESS_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-batch-role',
        METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-eventbridge',
        METAFLOW_SERVICE_AUTH_KEY: 'the-metaflow-service-key-0123456789',
        METAFLOW_SERVICE_INTERNAL_URL: 'http://metaflow-nlb-0123456789abcdef.elb.us-west-2.amazonaws.com/',
        METAFLOW_SERVICE_URL: 'https://a1b2c3d4e5.execute-api.us-west-2.amazonaws.com/api/',
        METAFLOW_SFN_DYNAMO_DB_TABLE: 'metaflow-step-functions-state',
        METAFLOW_SFN_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-step-functions',
      });
      expect(r.stdout + r.stderr).not.toContain('the-metaflow-service-key-0123456789');
      const [stack] = await stacks();
      expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
      cpSync(file, path.join(scratch, 'applied-config.json'));
    }, 120_000);
  });
});
