/**
 * `mfinfra migrate --from-stack`: from a deployment of the official template to the manifest
 * `init --from-stack` wrote, step by step, stopped and resumed, against the stateful fake
 * CloudFormation (moto has no IMPORT change sets) with S3 / DynamoDB / RDS / API Gateway answers in
 * the SDK's shapes. End state asserted: which stacks exist and in what status, what each holds, which
 * resources survived outside any stack, the snapshot, the migration state file, the Metaflow config.
 */
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateDBSnapshotCommand, DescribeDBSnapshotsCommand, RDSClient, RDSServiceException } from '@aws-sdk/client-rds';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import batch from '../../../plugin-batch/src/index.js';
import datastore from '../../../plugin-datastore/src/index.js';
import metadata from '../../../plugin-metadata/src/index.js';
import network from '../../../plugin-network/src/index.js';
import scheduling from '../../../plugin-scheduling/src/index.js';
import { migrate, migrationStatePath, type MigrationReview } from '../../src/actions/migrate.js';
import type { CompileResult } from '../../src/compile/compile.js';
import type { CfnTemplate } from '../../src/compile/template.js';
import type { ImportClients } from '../../src/deploy/importLive.js';
import type { DeployContext } from '../../src/deploy/context.js';
import { objectUrl } from '../../src/deploy/templateSource.js';
import { manifestFromOfficialStack, readDeployedStack } from '../../src/init/fromStack.js';
import { compileManifest, errorOf, RecordingIoHost } from '../../src/testing.js';
import { answerAsLiveBucket, answerAsLiveTable, importClients, TEST_CLIENT_CONFIG } from '../helpers/liveResources.js';
import { simulateStackOutputs } from '../outputs/simulatedStack.js';
import { FakeCloudFormation } from './fakeCloudFormation.js';
import { harness } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const OFFICIAL = JSON.parse(readFileSync(path.join(here, '..', 'init', 'official-trimmed.json'), 'utf8'));
const BUCKET = 'metaflow-metaflows3bucket-1x2y3z';
const TABLE = 'metaflow-StepFunctionsStateDDB-ABC123';
const DB = 'metaflow-rdsmasterinstance-q1w2e3';
const apiGateway = mockClient(APIGatewayClient);

interface World {
  h: ReturnType<typeof harness>;
  fake: FakeCloudFormation;
  clients: ImportClients;
  compiled: CompileResult;
  home: string;
  snapshots: string[];
}

async function world(extraOld: Record<string, unknown> = {}): Promise<World> {
  const h = harness();
  const fake = new FakeCloudFormation().install(h.cfn);
  fake.outputsOf = (t, stackName) => simulateStackOutputs(t as unknown as CfnTemplate, stackName, 'us-east-1');
  const template = { ...OFFICIAL, Resources: { ...OFFICIAL.Resources, ...extraOld } };
  const physical: Record<string, string> = {};
  for (const id of Object.keys(template.Resources)) physical[id] = `metaflow-${id.toLowerCase()}-1`;
  Object.assign(physical, { MetaflowS3Bucket: BUCKET, StepFunctionsStateDDB: TABLE, RDSMasterInstance: DB });
  const params = Object.keys(OFFICIAL.Parameters).map((k) => ({ ParameterKey: k, ParameterValue: String(OFFICIAL.Parameters[k].Default) }));
  fake.seedStack('metaflow', template, physical, params);
  // S3 as the official template leaves the bucket; staged templates are kept for the fake to read.
  answerAsLiveBucket(h.s3);
  h.s3.on(PutObjectCommand).callsFake((input) => {
    fake.bodies.set(objectUrl(input.Bucket!, input.Key!, 'us-east-1'), String(input.Body));
    return {};
  });
  const dynamoDb = new DynamoDBClient(TEST_CLIENT_CONFIG);
  answerAsLiveTable(mockClient(dynamoDb), { name: TABLE, ttl: 'ttl' });
  const rds = new RDSClient(TEST_CLIENT_CONFIG);
  const snapshots: string[] = [];
  const rdsMock = mockClient(rds);
  rdsMock.on(CreateDBSnapshotCommand).callsFake((input) => {
    snapshots.push(input.DBSnapshotIdentifier!);
    return { DBSnapshot: { DBSnapshotIdentifier: input.DBSnapshotIdentifier, Status: 'creating' } };
  });
  rdsMock.on(DescribeDBSnapshotsCommand).callsFake((input) => {
    if (!snapshots.includes(input.DBSnapshotIdentifier!)) {
      throw new RDSServiceException({
        name: 'DBSnapshotNotFoundFault',
        message: 'not found',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
      });
    }
    return { DBSnapshots: [{ DBSnapshotIdentifier: input.DBSnapshotIdentifier, Status: 'available', DBInstanceIdentifier: DB }] };
  });
  apiGateway.reset();
  apiGateway.on(GetApiKeyCommand).resolves({ id: 'k1', value: 'the-api-key-value' });
  const clients = importClients(h.clients.s3, { dynamoDb, rds });
  // The manifest init --from-stack writes for this stack.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-migrate-'));
  const home = path.join(dir, 'metaflow-home');
  process.env.METAFLOW_HOME = home;
  const old = await readDeployedStack(h.clients.cloudFormation, 'metaflow', 'us-east-1', { delayScale: 0 });
  const { text } = manifestFromOfficialStack(old);
  const compiled = await compileManifest(text, { plugins: { network, datastore, batch, metadata, scheduling }, cwd: dir });
  return { h, fake, clients, compiled, home, snapshots };
}

const savedHome = process.env.METAFLOW_HOME;
beforeEach(() => {
  apiGateway.reset();
});
afterEach(() => {
  if (savedHome === undefined) delete process.env.METAFLOW_HOME;
  else process.env.METAFLOW_HOME = savedHome;
});

/** A context whose host answers each step's CONFIRM_MIGRATION_STEP from `answers` (default yes); `seen`: the steps asked. */
function recorder(ctx: DeployContext, answers: Partial<Record<MigrationReview['step'], boolean>> = {}) {
  const host = new RecordingIoHost({ CONFIRM_MIGRATION_STEP: (q) => answers[q.data.step] ?? true });
  return {
    host,
    ctx: { ...ctx, io: host },
    get seen(): MigrationReview[] {
      return host.requests.flatMap((q) => (q.code === 'CONFIRM_MIGRATION_STEP' ? [q.data] : []));
    },
  };
}

describe('migrate from the official template', () => {
  it('runs every step; stopped at delete-old, it carries on from there; the bucket and table move, the sysroot stays', async () => {
    const w = await world();
    const stateFile = migrationStatePath(path.dirname(w.compiled.file), 'metaflow');

    // First run: the user says no when asked to delete the old stack.
    const first = recorder(w.h.ctx, { 'delete-old': false });
    const stopped = await errorOf(migrate(w.compiled, first.ctx, { from: 'metaflow' }, w.clients));
    expect(stopped.code).toBe('ABORTED');
    expect(stopped.message).toBe(
      'migration stopped before step delete-old: stack metaflow was not deleted; run mfinfra migrate again to carry on',
    );
    expect(first.seen.map((r) => r.step)).toEqual(['retain', 'snapshot', 'delete-old']);
    // Each step is shown (MIGRATION_STEP_REVIEW, numbered) before it is asked (CONFIRM_MIGRATION_STEP).
    expect(first.host.codes().filter((code) => /MIGRATION/.test(code))).toEqual(
      Array.from({ length: 3 }, () => ['MIGRATION_STEP_REVIEW', 'CONFIRM_MIGRATION_STEP']).flat(),
    );
    expect(first.host.data('MIGRATION_STEP_REVIEW').map((r) => `${r.number}/${r.of} ${r.step}`)).toEqual([
      '1/5 retain',
      '2/5 snapshot',
      '3/5 delete-old',
    ]);
    // The retain update only set policies, shown as a change set preview.
    expect(first.seen[0]!.preview!.changes.map((c) => `${c.action} ${c.logicalId}`).sort()).toEqual([
      'modify MetaflowS3Bucket',
      'modify MyRDSSecret',
      'modify RDSMasterInstance',
      'modify StepFunctionsStateDDB',
    ]);
    const oldTemplate = w.fake.stack('metaflow')!.template!.Resources!;
    expect(oldTemplate.StepFunctionsStateDDB!.DeletionPolicy).toBe('Retain');
    expect(oldTemplate.MyRDSSecret!.DeletionPolicy).toBe('Retain');
    expect(oldTemplate.RDSMasterInstance!.DeletionPolicy).toBe('Snapshot');
    expect(w.fake.stack('metaflow')!.status).toBe('UPDATE_COMPLETE');
    expect(w.snapshots).toEqual([`mfinfra-migrate-${DB}`]);
    const recorded = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(Object.keys(recorded.steps)).toEqual(['retain', 'snapshot']);
    expect(recorded.resources).toMatchObject({ bucket: BUCKET, table: TABLE, dbInstance: DB });

    // Second run: carries on from delete-old.
    const second = recorder(w.h.ctx);
    const done = await migrate(w.compiled, second.ctx, { from: 'metaflow', apply: { yes: true } }, w.clients);
    expect(done.ran).toEqual(['delete-old', 'import', 'apply']);
    expect(second.seen.map((r) => r.step)).toEqual(['delete-old', 'import', 'apply']);
    expect(second.seen[0]!.lines).toContain(`kept     MetaflowS3Bucket AWS::S3::Bucket ${BUCKET}`);
    // The import preview: two imports; what mfinfra changes afterwards is listed for the apply step.
    expect(second.seen[1]!.preview!.changes.map((c) => `${c.action} ${c.logicalId}`)).toEqual([
      'import DatastoreBucket',
      'import SchedulingStateTable',
    ]);
    expect(second.seen[1]!.lines.join('\n')).toMatch(/SchedulingStateTable\.PointInTimeRecoverySpecification: set by step apply/);

    // End state: the bucket and the table belong to the new stack; the DB left a snapshot; the secret is kept outside.
    const stack = w.fake.stack('metaflow')!;
    expect(stack.status).toBe('UPDATE_COMPLETE');
    expect(stack.changeSets).toEqual([]);
    expect(stack.physical.DatastoreBucket).toBe(BUCKET);
    expect(stack.physical.SchedulingStateTable).toBe(TABLE);
    expect(w.fake.world.find((r) => r.id === BUCKET)!.stack).toBe('metaflow');
    expect(w.fake.world.find((r) => r.id === 'metaflow-myrdssecret-1')!.stack).toBeUndefined();
    expect(w.fake.world.find((r) => r.id === DB)).toBeUndefined();
    expect(w.fake.snapshots).toEqual([`${DB}-snapshot`]);
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(Object.keys(state.steps)).toEqual(['retain', 'snapshot', 'delete-old', 'import', 'apply']);
    // The new Metaflow config keeps the sysroot in the same bucket.
    const config = JSON.parse(readFileSync(path.join(w.home, 'config.json'), 'utf8'));
    expect(config.METAFLOW_DATASTORE_SYSROOT_S3).toBe(`s3://${BUCKET}/metaflow`);
    expect(config.METAFLOW_DATATOOLS_S3ROOT).toBe(`s3://${BUCKET}/data`);
    // (The simulated Outputs name a table the template leaves unnamed after the template, not the stack's
    // physical id, so METAFLOW_SFN_DYNAMO_DB_TABLE is checked on the stack above, not here.)
    expect(config.METAFLOW_SFN_DYNAMO_DB_TABLE).toBeDefined();
    expect(done.configFiles).toContain(path.join(w.home, 'config.json'));

    // A third run has nothing left to do.
    const third = recorder(w.h.ctx);
    expect((await migrate(w.compiled, third.ctx, { from: 'metaflow' }, w.clients)).ran).toEqual([]);
    expect(third.seen).toEqual([]);
  });

  it('refuses to delete the old stack while it holds data that is not kept; nothing is deleted', async () => {
    const w = await world({ UserBucket: { Type: 'AWS::S3::Bucket', Properties: {} } });
    const r = recorder(w.h.ctx);
    const e = await errorOf(migrate(w.compiled, r.ctx, { from: 'metaflow' }, w.clients));
    expect(e.code).toBe('MIGRATION_STEP');
    expect(e.exitCode).toBe(4);
    expect(e.message).toBe(
      'deleting metaflow would delete what holds data: UserBucket (AWS::S3::Bucket, DeletionPolicy Delete); nothing was deleted',
    );
    expect(r.seen.map((x) => x.step)).toEqual(['retain', 'snapshot']);
    expect(w.fake.stack('metaflow')!.status).toBe('UPDATE_COMPLETE');
  });

  it('a step asked for out of order is refused; a stack that is not the official template is refused before anything is recorded', async () => {
    const w = await world();
    const early = await errorOf(migrate(w.compiled, recorder(w.h.ctx).ctx, { from: 'metaflow', only: 'import' }, w.clients));
    expect(early.message).toBe('step import needs step retain first');
    w.fake.seedStack('queues', { Resources: { Queue: { Type: 'AWS::SQS::Queue' } } }, { Queue: 'q1' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-migrate-'));
    const other = await compileManifest(
      'version: 1\nstack: { name: other, region: us-east-1 }\nplugins: [datastore]\ndatastore: {}\noutputs: { metaflowConfig: { enabled: false } }\n',
      { plugins: { datastore }, cwd: dir },
    );
    const e = await errorOf(migrate(other, recorder(w.h.ctx).ctx, { from: 'queues' }, w.clients));
    expect(e.code).toBe('NOT_OFFICIAL_STACK');
    expect(() => readFileSync(migrationStatePath(dir, 'other'))).toThrow();
  });
});

describe('the retain update keeps the old template as it is', () => {
  it('YAML with short-form tags and comments: only the policies change', async () => {
    const { withPolicies } = await import('../../src/deploy/migrateOld.js');
    const body = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Resources:',
      '  # Metaflow state for foreach',
      '  StepFunctionsStateDDB:',
      '    Type: AWS::DynamoDB::Table',
      '    Properties:',
      '      TableName: !Sub ${AWS::StackName}-state',
      '  RDSMasterInstance:',
      '    Type: AWS::RDS::DBInstance',
      '    Properties:',
      '      VPCSecurityGroups: [!GetAtt RDSSecurityGroup.GroupId]',
      '',
    ].join('\n');
    const out = await withPolicies(body, { StepFunctionsStateDDB: 'Retain', RDSMasterInstance: 'Snapshot', Missing: 'Retain' });
    expect(out.format).toBe('yaml');
    expect(out.changed).toEqual(['StepFunctionsStateDDB', 'RDSMasterInstance']);
    expect(out.body).toContain('  # Metaflow state for foreach');
    expect(out.body).toContain('TableName: !Sub ${AWS::StackName}-state');
    expect(out.body).toContain('!GetAtt RDSSecurityGroup.GroupId');
    expect(out.body).toContain('    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain');
    expect(out.body).toContain('    DeletionPolicy: Snapshot\n    UpdateReplacePolicy: Snapshot');
    expect((await withPolicies(out.body, { StepFunctionsStateDDB: 'Retain' })).changed).toEqual([]);
  });
});

describe('the retain update is refused when it would do more than set policies', () => {
  it('a Modify of another resource, a replacement or a scope beyond the policies', async () => {
    const { assertOnlyPolicyChanges } = await import('../../src/deploy/migrateOld.js');
    const modify = (id: string, extra: Record<string, unknown> = {}) => ({
      Type: 'Resource' as const,
      ResourceChange: {
        Action: 'Modify' as const,
        LogicalResourceId: id,
        Scope: ['DeletionPolicy' as const],
        Replacement: 'False' as const,
        ...extra,
      },
    });
    expect(() => assertOnlyPolicyChanges('metaflow', [modify('StepFunctionsStateDDB')], ['StepFunctionsStateDDB'])).not.toThrow();
    // (moto reports an untouched ECS cluster as modified, with no scope: refused, not guessed.)
    const e = await errorOf(
      Promise.resolve().then(() =>
        assertOnlyPolicyChanges(
          'metaflow',
          [modify('StepFunctionsStateDDB'), modify('ECSCluster', { Scope: undefined })],
          ['StepFunctionsStateDDB'],
        ),
      ),
    );
    expect(e.message).toBe(
      'the retain update of metaflow would do more than set DeletionPolicy: Modify ECSCluster (no scope given); it was deleted and nothing changed',
    );
    expect(e.exitCode).toBe(4);
    expect(() => assertOnlyPolicyChanges('metaflow', [modify('X', { Replacement: 'True' })], ['X'])).toThrow(/replacement/);
    expect(() => assertOnlyPolicyChanges('metaflow', [modify('X', { Scope: ['Properties'] })], ['X'])).toThrow(/Modify X \(Properties\)/);
  });
});
