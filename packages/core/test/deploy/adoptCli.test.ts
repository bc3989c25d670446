/**
 * `mfinfra adopt` as a user runs it: the CLI in-process, a manifest with a local plugin, every SDK
 * client mocked at the class (no network): CloudFormation by the stateful fake (moto has no IMPORT
 * change sets), S3 and DynamoDB with the answers AWS gives for the live bucket and table.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerAsLiveBucket, answerAsLiveTable } from '../helpers/liveResources.js';
import { runCli } from '../helpers/runCli.js';
import { useFakeAwsEnv } from '../helpers/awsEnv.js';
import { STORES_BUCKET } from '../helpers/storesPlugin.js';
import { FakeCloudFormation } from './fakeCloudFormation.js';

const BUCKET = STORES_BUCKET;
const TABLE = 'metaflow-state-cli';
/** The plugin, named by path as a user names a local plugin (a .ts file: the CLI loads it through jiti). */
const PLUGIN = fileURLToPath(new URL('../helpers/storesPlugin.ts', import.meta.url));

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const ddb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
let fake: FakeCloudFormation;
let restoreEnv: () => void;

function project(versioning: boolean): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-adopt-cli-'));
  writeFileSync(
    path.join(dir, 'metaflow.infra.yaml'),
    `version: 1\nstack: { name: mf-adopt-cli, region: us-east-1 }\nplugins: [${JSON.stringify(PLUGIN)}]\nstores: { versioning: ${versioning} }\noutputs: { metaflowConfig: { enabled: false } }\n`,
  );
  return dir;
}

beforeAll(() => {
  restoreEnv = useFakeAwsEnv();
});
afterAll(() => {
  restoreEnv();
  cfn.restore();
  s3.restore();
  ddb.restore();
  sts.restore();
});
beforeEach(() => {
  cfn.reset();
  s3.reset();
  ddb.reset();
  sts.reset();
  fake = new FakeCloudFormation().install(cfn);
  fake.addWorld('AWS::S3::Bucket', BUCKET);
  fake.addWorld('AWS::DynamoDB::Table', TABLE);
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  answerAsLiveBucket(s3, { publicAccessBlocked: true });
  answerAsLiveTable(ddb, { name: TABLE, ttl: 'ttl' });
});

describe('mfinfra adopt (CLI)', () => {
  it('imports the bucket and the table: exit 0, the stack in IMPORT_COMPLETE with both, the local state written', async () => {
    const dir = project(false);
    const r = await runCli(['adopt', dir, '--import', `DataBucket=${BUCKET}`, '--import', `StateTable=${TABLE}`, '--yes', '--json']);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, stackName: 'mf-adopt-cli', finalStatus: 'IMPORT_COMPLETE' });
    expect(out.imported.map((i: { logicalId: string }) => i.logicalId)).toEqual(['DataBucket', 'StateTable']);
    expect(out.preview.summary.import).toBe(2);
    const stack = fake.stack('mf-adopt-cli')!;
    expect(stack.status).toBe('IMPORT_COMPLETE');
    expect(stack.physical).toEqual({ DataBucket: BUCKET, StateTable: TABLE });
    expect(stack.changeSets).toEqual([]);
    expect(
      JSON.parse(readFileSync(path.join(dir, '.mfinfra', 'state', 'mf-adopt-cli.json'), 'utf8')).template.Resources.DataBucket,
    ).toBeDefined();
  });

  it('a live property that differs: exit 4, the property named with both values, no stack, nothing written', async () => {
    const dir = project(true);
    const r = await runCli(['adopt', dir, '--import', `DataBucket=${BUCKET}`, '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'error nothing was imported: DataBucket.VersioningConfiguration: the live resource has (not set), the template {"Status":"Enabled"}; the next update would change it  (IMPORT_REFUSED)',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fake.stacks.size).toBe(0);
    expect(existsSync(path.join(dir, '.mfinfra', 'state', 'mf-adopt-cli.json'))).toBe(false);
  });

  it('without a terminal and without --yes it refuses before any AWS call (exit 2)', async () => {
    const dir = project(false);
    const r = await runCli(['adopt', dir, '--import', `DataBucket=${BUCKET}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a confirmation, but the terminal \(TTY\) is not attached/);
    expect(cfn.calls()).toHaveLength(0);
  });
});
