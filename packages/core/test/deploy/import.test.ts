/**
 * `mfinfra adopt`'s mechanics: live reads (S3, DynamoDB, RDS answers in the SDK's shapes), the
 * comparison with the template (drift at import time, replacement), and the IMPORT change set against
 * a stateful fake CloudFormation (moto has no IMPORT change sets). End state asserted: stack status,
 * change sets left, the stack's template, its stack policy, the local state file.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adopt } from '../../src/actions/adopt.js';
import { parseImportPairs } from '../../src/actions/importPairs.js';
import { readBucket, readDbInstance, readLogGroup, readSecret, readTable } from '../../src/deploy/importLive.js';
import { matches, planImport } from '../../src/deploy/importPlan.js';
import { compileManifest, errorOf, RecordingIoHost } from '../../src/testing.js';
import { FakeCloudFormation } from './fakeCloudFormation.js';
import { harness } from './helpers.js';
import {
  answerAsLiveBucket,
  answerAsLiveTable,
  importClients,
  s3Missing,
  TEST_CLIENT_CONFIG,
  type LiveBucket,
} from '../helpers/liveResources.js';
import { runCli } from '../helpers/runCli.js';
import storesPlugin, { STORES_BUCKET as BUCKET } from '../helpers/storesPlugin.js';

const TABLE = 'metaflow-sfn-state';

async function compiled(options: { versioning?: boolean; logs?: boolean } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-adopt-'));
  const text = [
    'version: 1',
    'stack: { name: mf-adopt, region: us-east-1 }',
    'plugins: [stores]',
    `stores: { versioning: ${options.versioning ?? false}, logs: ${options.logs ?? false} }`,
    'outputs: { metaflowConfig: { enabled: false } }',
    '',
  ].join('\n');
  return compileManifest(text, { plugins: { stores: storesPlugin }, cwd: dir });
}

/** Live clients whose answers are what AWS sends for this bucket and table. */
function liveClients(h: ReturnType<typeof harness>, bucket: LiveBucket = {}) {
  answerAsLiveBucket(h.s3, { publicAccessBlocked: true, ...bucket });
  const dynamoDb = new DynamoDBClient(TEST_CLIENT_CONFIG);
  answerAsLiveTable(mockClient(dynamoDb), { name: TABLE, ttl: 'ttl' });
  return importClients(h.clients.s3, { dynamoDb });
}

function setup(bucket: LiveBucket = {}) {
  const h = harness();
  const fake = new FakeCloudFormation().install(h.cfn);
  fake.addWorld('AWS::S3::Bucket', BUCKET);
  fake.addWorld('AWS::DynamoDB::Table', TABLE);
  return { h, fake, live: liveClients(h, bucket) };
}

describe('live reads, in the shapes AWS answers', () => {
  it('reads a bucket as CloudFormation properties; "not configured" errors read as absent', async () => {
    const { h } = setup({ lifecycle: true });
    const bucket = await readBucket(h.clients.s3, BUCKET, { delayScale: 0 });
    expect(bucket.identifier).toEqual({ BucketName: BUCKET });
    expect(bucket.properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
      },
      LifecycleConfiguration: { Rules: [{ Id: 'abort', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] },
    });
    expect(bucket.properties.OwnershipControls).toBeUndefined();
    expect(bucket.properties.VersioningConfiguration).toBeUndefined();
  });

  it('a bucket that does not exist is a clear error', async () => {
    const h = harness();
    h.s3.on(HeadBucketCommand).rejects(s3Missing('NotFound', 'Not Found'));
    const e = await errorOf(readBucket(h.clients.s3, 'gone-bucket', { delayScale: 0 }));
    expect(e.code).toBe('IMPORT_REFUSED');
    expect(e.message).toBe('AWS::S3::Bucket gone-bucket was not found: S3 HeadBucket answered 404');
  });

  it('reads a table: keys, billing, TTL, point-in-time recovery, AWS-owned encryption', async () => {
    const { live } = setup();
    const table = await readTable(live.dynamoDb, TABLE, { delayScale: 0 });
    expect(table.properties).toEqual({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pathspec', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pathspec', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      SSESpecification: { SSEEnabled: false },
    });
  });

  it('reads an RDS instance as the official template leaves it (unencrypted, user master)', async () => {
    const rds = new RDSClient(TEST_CLIENT_CONFIG);
    mockClient(rds)
      .on(DescribeDBInstancesCommand)
      .resolves({
        DBInstances: [
          {
            DBInstanceIdentifier: 'mf-db',
            Engine: 'postgres',
            EngineVersion: '16.1',
            DBInstanceClass: 'db.t3.small',
            DBName: 'metaflow',
            MasterUsername: 'master',
            Endpoint: { Address: 'mf-db.x.rds.amazonaws.com', Port: 5432 },
            StorageType: 'gp2',
            AllocatedStorage: 20,
            StorageEncrypted: false,
            MultiAZ: false,
            PubliclyAccessible: false,
            BackupRetentionPeriod: 1,
            DeletionProtection: false,
            DBSubnetGroup: { DBSubnetGroupName: 'old-subnets' },
            VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1', Status: 'active' }],
          },
        ],
      });
    const db = await readDbInstance(rds, 'mf-db', { delayScale: 0 });
    expect(db.properties).toMatchObject({ StorageEncrypted: false, MasterUsername: 'master', Port: '5432', AllocatedStorage: '20' });
  });
});

describe('live reads of secrets and log groups', () => {
  it('a secret is identified by its ARN; one scheduled for deletion or missing is a clear error', async () => {
    const sm = new SecretsManagerClient(TEST_CLIENT_CONFIG);
    const mock = mockClient(sm);
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:metaflow-db-AbCdEf';
    mock.on(DescribeSecretCommand, { SecretId: 'metaflow-db' }).resolves({ ARN: arn, Name: 'metaflow-db', Description: 'db' });
    const secret = await readSecret(sm, 'metaflow-db', { delayScale: 0 });
    expect(secret.identifier).toEqual({ Id: arn });
    expect(secret.properties).toEqual({ Name: 'metaflow-db', Description: 'db' });
    mock.on(DescribeSecretCommand, { SecretId: 'old' }).resolves({ ARN: arn, Name: 'old', DeletedDate: new Date('2026-11-30T00:00:00Z') });
    const deleted = await errorOf(readSecret(sm, 'old', { delayScale: 0 }));
    expect(deleted.message).toBe('secret old is scheduled for deletion (since 2026-11-30T00:00:00.000Z)');
    expect(deleted.hint).toBe('restore it first: aws secretsmanager restore-secret --secret-id old');
    mock.on(DescribeSecretCommand, { SecretId: 'gone' }).rejects(
      new SecretsManagerServiceException({
        name: 'ResourceNotFoundException',
        message: 'no',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    expect((await errorOf(readSecret(sm, 'gone', { delayScale: 0 }))).message).toMatch(/^AWS::SecretsManager::Secret gone was not found/);
  });

  it('a log group by its exact name (a longer name with the same prefix is not it)', async () => {
    const logs = new CloudWatchLogsClient(TEST_CLIENT_CONFIG);
    mockClient(logs)
      .on(DescribeLogGroupsCommand)
      .resolves({
        logGroups: [
          { logGroupName: '/ecs/metaflow-metadata-service-v2-old', retentionInDays: 7 },
          { logGroupName: '/ecs/metaflow-metadata-service-v2' },
        ],
      });
    const group = await readLogGroup(logs, '/ecs/metaflow-metadata-service-v2', { delayScale: 0 });
    expect(group.properties).toEqual({ LogGroupName: '/ecs/metaflow-metadata-service-v2' });
    expect((await errorOf(readLogGroup(logs, '/ecs/other', { delayScale: 0 }))).message).toMatch(/no group of that exact name/);
  });
});

describe('planImport: drift at import time', () => {
  const bucketLive = (props: Record<string, unknown> = {}) => ({
    resourceType: 'AWS::S3::Bucket',
    physicalId: BUCKET,
    identifier: { BucketName: BUCKET },
    properties: {
      BucketName: BUCKET,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      ...props,
    },
  });
  type ImportRequest = Parameters<typeof planImport>[0];
  /** The import of DataBucket (the bucket as it is live) into a new stack mf-adopt. */
  const bucketImport = (target: ImportRequest['target'], extra: Partial<ImportRequest> = {}): ImportRequest => ({
    stackName: 'mf-adopt',
    target,
    requests: [{ logicalId: 'DataBucket', physicalId: BUCKET }],
    live: { DataBucket: bucketLive() },
    ...extra,
  });
  /** The error planImport refuses `request` with (fails the test if it plans). */
  const refusal = (request: ImportRequest) => errorOf(Promise.resolve().then(() => planImport(request)));

  it('a matching bucket: the import template for a new stack holds only it, with its DeletionPolicy, and no Outputs', async () => {
    const c = await compiled();
    const plan = planImport(bucketImport(c.template));
    expect(Object.keys(plan.template.Resources)).toEqual(['DataBucket']);
    expect((plan.template.Resources.DataBucket as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    expect((plan.template as { Outputs?: unknown }).Outputs).toBeUndefined();
    expect(plan.imports[0]).toMatchObject({ logicalId: 'DataBucket', identifier: { BucketName: BUCKET }, deferred: [] });
  });

  it('refuses, naming the property, when the next update would change the live bucket', async () => {
    const c = await compiled({ versioning: true });
    const e = await refusal(bucketImport(c.template));
    expect(e.code).toBe('IMPORT_REFUSED');
    expect(e.exitCode).toBe(4);
    expect(e.message).toBe(
      'nothing was imported: DataBucket.VersioningConfiguration: the live resource has (not set), the template {"Status":"Enabled"}; the next update would change it',
    );
    expect(e.hint).toMatch(/--update-after-import/);
  });

  it('with updateAfterImport: imports the live value; the difference is left for the next (previewed) apply', async () => {
    const c = await compiled({ versioning: true });
    const plan = planImport(bucketImport(c.template, { updateAfterImport: true }));
    const props = (plan.template.Resources.DataBucket as { Properties: Record<string, unknown> }).Properties;
    expect(props.VersioningConfiguration).toBeUndefined();
    expect(plan.imports[0]!.deferred).toEqual([
      { property: 'VersioningConfiguration', live: undefined, template: { Status: 'Enabled' }, kind: 'update' },
    ]);
  });

  it('never imports what the template would replace, even with updateAfterImport', async () => {
    const c = await compiled();
    const other = bucketLive({ BucketName: 'another-bucket' });
    const e = await refusal(
      bucketImport(c.template, {
        requests: [{ logicalId: 'DataBucket', physicalId: 'another-bucket' }],
        live: { DataBucket: { ...other, physicalId: 'another-bucket' } },
        updateAfterImport: true,
      }),
    );
    expect(e.message).toBe(
      `nothing was imported: DataBucket.BucketName: the live resource has "another-bucket", the template "${BUCKET}"; changing it replaces the resource`,
    );
    expect(e.hint).toMatch(/never imports a resource its template would replace/);
  });

  it('a table whose key differs is never imported; several problems are listed one by one', async () => {
    const c = await compiled({ versioning: true });
    const e = await refusal(
      bucketImport(c.template, {
        requests: [
          { logicalId: 'DataBucket', physicalId: BUCKET },
          { logicalId: 'StateTable', physicalId: TABLE },
        ],
        live: {
          DataBucket: bucketLive(),
          StateTable: {
            resourceType: 'AWS::DynamoDB::Table',
            physicalId: TABLE,
            identifier: { TableName: TABLE },
            properties: {
              KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              BillingMode: 'PAY_PER_REQUEST',
              TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
            },
          },
        },
      }),
    );
    expect(e.message).toBe('nothing was imported: 3 problems stand in the way');
    expect(e.diagnostics.map((d) => d.message)).toEqual([
      'DataBucket.VersioningConfiguration: the live resource has (not set), the template {"Status":"Enabled"}; the next update would change it',
      'StateTable.AttributeDefinitions: the live resource has [{"AttributeName":"id","AttributeType":"S"}], the template [{"AttributeName":"pathspec","AttributeType":"S"}]; the next update would change it',
      'StateTable.KeySchema: the live resource has [{"AttributeName":"id","KeyType":"HASH"}], the template [{"AttributeName":"pathspec","KeyType":"HASH"}]; changing it replaces the resource',
    ]);
  });

  it('a property that refers to a resource the stack does not have yet is refused (or deferred)', async () => {
    const c = await compiled({ logs: true });
    const request = bucketImport(c.template);
    const e = await refusal(request);
    expect(e.message).toBe(
      'nothing was imported: DataBucket.LoggingConfiguration refers to "LogBucket", which the stack does not have yet',
    );
    const plan = planImport({ ...request, updateAfterImport: true });
    expect((plan.template.Resources.DataBucket as { Properties: Record<string, unknown> }).Properties.LoggingConfiguration).toBeUndefined();
  });

  it('names the importable resources when the logical id is wrong', async () => {
    const c = await compiled();
    const e = await refusal(bucketImport(c.template, { requests: [{ logicalId: 'Bucket', physicalId: BUCKET }], live: {} }));
    expect(e.message).toBe('nothing was imported: Bucket is not a resource of the template the manifest compiles to');
    expect(e.hint).toBe('importable resources of this template: DataBucket (AWS::S3::Bucket), StateTable (AWS::DynamoDB::Table)');
  });

  it('compares values as CloudFormation does: text for numbers, AWS defaults for keys the template leaves out', () => {
    expect(matches({ AllocatedStorage: '20' }, { AllocatedStorage: 20, Extra: 1 })).toBe(true);
    expect(matches(['upgrade', 'postgresql'], ['postgresql', 'upgrade'])).toBe(true);
    expect(matches(false, undefined)).toBe(true);
    expect(matches(true, undefined)).toBe(false);
    expect(matches({ Status: 'Enabled' }, { Status: 'Suspended' })).toBe(false);
  });

  it('parses --import pairs and refuses malformed ones', async () => {
    expect(parseImportPairs(['DataBucket=my-bucket'])).toEqual([{ logicalId: 'DataBucket', physicalId: 'my-bucket' }]);
    const e = await errorOf(Promise.resolve().then(() => parseImportPairs(['my-bucket'])));
    expect(e.exitCode).toBe(2);
  });
});

/** The context with a host that answers CONFIRM_IMPORT with `yes`. */
function answering<T extends object>(ctx: T, yes: boolean): T & { io: RecordingIoHost } {
  return { ...ctx, io: new RecordingIoHost({ CONFIRM_IMPORT: yes }) };
}

describe('adopt: the IMPORT change set', () => {
  it('imports into a new stack: IMPORT_COMPLETE, no change set left, stack policy and local state written', async () => {
    const { h, fake, live } = setup();
    const c = await compiled();
    const host = new RecordingIoHost({ CONFIRM_IMPORT: true });
    const out = await adopt(
      c,
      { ...h.ctx, io: host },
      { imports: parseImportPairs([`DataBucket=${BUCKET}`, `StateTable=${TABLE}`]) },
      live,
    );
    // The preview is shown (IMPORT_REVIEW), then the question asked (CONFIRM_IMPORT), once each.
    expect(host.codes().filter((code) => /IMPORT/.test(code))).toEqual(['IMPORT_REVIEW', 'CONFIRM_IMPORT']);
    const [reviewed] = host.data('IMPORT_REVIEW');
    expect(reviewed!.preview.changes.map((x) => `${x.action} ${x.logicalId}`)).toEqual(['import DataBucket', 'import StateTable']);
    expect(reviewed!.preview.summary.import).toBe(2);
    expect(reviewed!.yes).toBe(false);
    const stack = fake.stack('mf-adopt')!;
    expect(stack.status).toBe('IMPORT_COMPLETE');
    expect(stack.changeSets).toEqual([]);
    expect(stack.physical).toEqual({ DataBucket: BUCKET, StateTable: TABLE });
    expect(Object.keys(stack.template!.Resources!)).toEqual(['DataBucket', 'StateTable']);
    expect(JSON.parse(stack.policy!).Statement[1]).toMatchObject({
      Effect: 'Deny',
      Resource: ['LogicalResourceId/DataBucket', 'LogicalResourceId/StateTable'],
    });
    expect(out.result.finalStatus).toBe('IMPORT_COMPLETE');
    const state = JSON.parse(readFileSync(out.stateFile, 'utf8'));
    expect(Object.keys(state.template.Resources)).toEqual(['DataBucket', 'StateTable']);
    // The change set CloudFormation saw: IMPORT with each identifier.
    const create = h.cfn
      .calls()
      .map((x) => x.args[0].input as Record<string, unknown>)
      .find((i) => i.ChangeSetType === 'IMPORT')!;
    expect(create.ResourcesToImport).toEqual([
      { ResourceType: 'AWS::S3::Bucket', LogicalResourceId: 'DataBucket', ResourceIdentifier: { BucketName: BUCKET } },
      { ResourceType: 'AWS::DynamoDB::Table', LogicalResourceId: 'StateTable', ResourceIdentifier: { TableName: TABLE } },
    ]);
  });

  it('imports into an existing stack: the deployed template plus the resource, nothing else changed', async () => {
    const { h, fake, live } = setup();
    const c = await compiled();
    await adopt(c, answering(h.ctx, true), { imports: parseImportPairs([`DataBucket=${BUCKET}`]) }, live);
    // With yes nothing is asked (a host answering no would have stopped it).
    const second = answering(h.ctx, false);
    await adopt(c, second, { imports: parseImportPairs([`StateTable=${TABLE}`]), yes: true }, live);
    expect(second.io.asked()).toEqual([]);
    expect(second.io.data('IMPORT_REVIEW').map((r) => r.yes)).toEqual([true]);
    const stack = fake.stack('mf-adopt')!;
    expect(stack.status).toBe('IMPORT_COMPLETE');
    expect(stack.physical).toEqual({ DataBucket: BUCKET, StateTable: TABLE });
    expect(stack.changeSets).toEqual([]);
  });

  it('a no at the review deletes the change set and the REVIEW_IN_PROGRESS stack; nothing is recorded', async () => {
    const { h, fake, live } = setup();
    const c = await compiled();
    const e = await errorOf(adopt(c, answering(h.ctx, false), { imports: parseImportPairs([`DataBucket=${BUCKET}`]) }, live));
    expect(e.code).toBe('ABORTED');
    expect(e.message).toBe('nothing was imported; the import change set was deleted');
    expect(fake.stack('mf-adopt')).toBeUndefined();
    expect(existsSync(path.join(path.dirname(c.file), '.mfinfra', 'state', 'mf-adopt.json'))).toBe(false);
  });

  it('a drifted resource is refused before any change set is made', async () => {
    const { h, fake, live } = setup();
    const c = await compiled({ versioning: true });
    const e = await errorOf(adopt(c, answering(h.ctx, true), { imports: parseImportPairs([`DataBucket=${BUCKET}`]) }, live));
    expect(e.code).toBe('IMPORT_REFUSED');
    expect(e.message).toMatch(/DataBucket\.VersioningConfiguration/);
    expect(fake.stacks.size).toBe(0);
    expect(h.cfn.calls().map((x) => x.args[0].constructor.name)).not.toContain('CreateChangeSetCommand');
  });

  it('IMPORT_ROLLBACK_COMPLETE: a clear failure, no local state written, the resource outside the stack', async () => {
    const { h, fake, live } = setup();
    fake.failImportOf.add('DataBucket');
    const c = await compiled();
    const e = await errorOf(adopt(c, answering(h.ctx, true), { imports: parseImportPairs([`DataBucket=${BUCKET}`]) }, live));
    expect(e.code).toBe('DEPLOY_FAILED');
    expect(e.message).toBe(
      'the import into mf-adopt failed: IMPORT_ROLLBACK_COMPLETE; first failure: DataBucket IMPORT_FAILED: Resource handler returned message: "Access Denied"',
    );
    expect(e.hint).toMatch(/outside the stack again, unchanged/);
    expect(fake.stack('mf-adopt')!.status).toBe('IMPORT_ROLLBACK_COMPLETE');
    expect(fake.world.find((w) => w.id === BUCKET)!.stack).toBeUndefined();
    expect(existsSync(path.join(path.dirname(c.file), '.mfinfra', 'state', 'mf-adopt.json'))).toBe(false);
  });

  it('a resource that belongs to another stack: the change set FAILS, it is deleted, nothing is left', async () => {
    const { h, fake, live } = setup();
    fake.world.find((w) => w.id === BUCKET)!.stack = 'someone-else';
    const c = await compiled();
    const e = await errorOf(adopt(c, answering(h.ctx, true), { imports: parseImportPairs([`DataBucket=${BUCKET}`]) }, live));
    expect(e.message).toBe(
      `CloudFormation could not create the import change set: AWS::S3::Bucket ${BUCKET} already exists in stack someone-else`,
    );
    expect(fake.stack('mf-adopt')).toBeUndefined();
  });
});

describe('the CLI', () => {
  it('adopt and migrate are commands; a malformed --import is a usage error before any AWS call', async () => {
    const noImport = await runCli(['adopt']);
    expect(noImport.code).toBe(2);
    expect(noImport.stderr).toMatch(/import/);
    const noFrom = await runCli(['migrate']);
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toMatch(/from-stack/);
    const bad = await runCli(['adopt', '--import', 'not-a-pair', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--import "not-a-pair" is not LogicalId=name/);
  });
});
