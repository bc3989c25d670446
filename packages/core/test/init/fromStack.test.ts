/**
 * `init --from-stack`: a stack made on the moto server from a trimmed copy of the official Metaflow
 * template (same logical ids, types and parameters; the parts moto cannot run left out) is read with
 * DescribeStacks and ListStackResources, and turned into a manifest that compiles with the first-party
 * plugins and keeps the bucket and the table. A stack that is not the official template is refused and
 * nothing is written.
 */
import { CreateStackCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import batch from '../../../plugin-batch/src/index.js';
import datastore from '../../../plugin-datastore/src/index.js';
import metadata from '../../../plugin-metadata/src/index.js';
import network from '../../../plugin-network/src/index.js';
import scheduling from '../../../plugin-scheduling/src/index.js';
import { motoAvailable, startMoto, type MotoServer } from '../../../../test/helpers/moto.js';
import { initFromStack, manifestFromOfficialStack, type DeployedStack } from '../../src/init/fromStack.js';
import { compileManifest, errorOf } from '../../src/testing.js';
import { runCli } from '../helpers/runCli.js';
import { localAwsClients, useFakeAwsEnv } from '../helpers/awsEnv.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const OFFICIAL = readFileSync(path.join(here, 'official-trimmed.json'), 'utf8');
const PARAMS = {
  VPCCidr: '10.30.0.0/16',
  Subnet1Cidr: '10.30.0.0/24',
  MaxVCPUBatch: '96',
  MinVCPUBatch: '0',
  ComputeEnvInstanceTypes: 'c5.large,c5.xlarge',
  BatchType: 'ec2',
  APIBasicAuth: 'true',
  EnableSagemaker: 'false',
  EnableUI: 'true',
  CustomRole: 'false',
};

const hasMoto = motoAvailable();

describe.skipIf(!hasMoto)('init --from-stack against a stack on moto', () => {
  let moto: MotoServer;
  let cfn: CloudFormationClient;

  beforeAll(async () => {
    moto = await startMoto();
    cfn = localAwsClients(moto.endpoint).cloudFormation;
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
  });

  async function createStack(name: string, body: string, params: Record<string, string> = PARAMS) {
    await cfn.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: body,
        Capabilities: ['CAPABILITY_IAM'],
        Parameters: Object.entries(params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      }),
    );
  }

  it('writes a manifest that compiles, keeps the bucket and the table, and reports what differs', async () => {
    await createStack('metaflow', OFFICIAL);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-fromstack-'));
    const out = await initFromStack({
      fromStack: 'metaflow',
      region: 'us-east-1',
      cfn,
      cwd: dir,
      privateNetworking: true,
      poll: { delayScale: 0 },
    });
    expect(out.manifestFile).toBe(path.join(dir, 'metaflow.infra.yaml'));
    const text = readFileSync(out.manifestFile, 'utf8');
    expect(text).toBe(out.text);
    expect(out.bucket).toMatch(/^metaflow-metaflows3bucket-/);
    expect(Object.keys(out.imports)).toEqual(['DatastoreBucket', 'SchedulingStateTable']);
    expect(out.imports.SchedulingStateTable).toMatch(/^metaflow-StepFunctionsStateDDB-/);
    expect(text).toContain(`name: ${out.bucket} # the existing bucket`);
    expect(text).toContain('cidr: 10.30.0.0/16');
    expect(text).toContain('instanceTypes: [c5.large, c5.xlarge]');
    expect(text).toContain('maxVcpus: 96');
    expect(text).toContain('private: true');
    expect(out.report.map((r) => r.kind)).toContain('dropped'); // EnableUI=true is not carried over
    expect(out.report.find((r) => r.what.startsWith('ui:'))!.what).toMatch(/EnableUI=true/);
    // The manifest is one mfinfra compiles, and its template keeps the bucket's name.
    const compiled = await compileManifest(text, { plugins: { network, datastore, batch, metadata, scheduling }, cwd: dir });
    const resources = compiled.template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    expect(resources.DatastoreBucket!.Properties!.BucketName).toBe(out.bucket);
    expect(resources.SchedulingStateTable!.Type).toBe('AWS::DynamoDB::Table');
    // The same sysroot and datatools prefix as the official template's outputs.
    const outputs = compiled.template.Outputs as Record<string, { Value: unknown }>;
    expect(outputs.MetaflowDatatoolsS3root!.Value).toEqual({ 'Fn::Sub': 's3://${DatastoreBucket}/data' });
    expect(outputs.MetaflowDatastoreSysrootS3!.Value).toEqual({ 'Fn::Sub': 's3://${DatastoreBucket}/metaflow' });
  });

  it('a stack that is not the official template: a clear error naming what it lacks, nothing written, exit 3', async () => {
    await createStack(
      'other',
      JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Queue: { Type: 'AWS::SQS::Queue' } } }),
      {},
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-fromstack-'));
    const e = await errorOf(initFromStack({ fromStack: 'other', region: 'us-east-1', cfn, cwd: dir, poll: { delayScale: 0 } }));
    expect(e.code).toBe('NOT_OFFICIAL_STACK');
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(
      /^stack other is not a deployment of the official Metaflow CloudFormation template: it has no VPC \(AWS::EC2::VPC\), MetaflowS3Bucket \(AWS::S3::Bucket\)/,
    );
    expect(e.message).toMatch(/\(2 resources found\)$/);
    expect(existsSync(path.join(dir, 'metaflow.infra.yaml'))).toBe(false);
  });

  it('through the CLI: init --from-stack writes the manifest and prints the report; a stack that is not the official one exits 3', async () => {
    await createStack('metaflow', OFFICIAL);
    await createStack('other', JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } }), {});
    const restoreEnv = useFakeAwsEnv();
    try {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-fromstack-cli-'));
      const ok = await runCli(['init', dir, '--from-stack', 'metaflow', '--region', 'us-east-1', '--endpoint-url', moto.endpoint]);
      expect(ok.code).toBe(0);
      expect(ok.stderr).toMatch(
        /^✓ wrote .*metaflow\.infra\.yaml from stack metaflow \(plugins network, datastore, batch, metadata, scheduling\)$/m,
      );
      expect(ok.stderr).toMatch(/^ {2}= kept {4}datastore: bucket metaflow-metaflows3bucket-/m);
      expect(ok.stderr).toContain('npx mfinfra migrate --from-stack metaflow');
      expect(existsSync(path.join(dir, 'metaflow.infra.yaml'))).toBe(true);
      const other = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-fromstack-cli-'));
      const bad = await runCli(['init', other, '--from-stack', 'other', '--region', 'us-east-1', '--endpoint-url', moto.endpoint]);
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/stack other is not a deployment of the official Metaflow CloudFormation template/);
      expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(path.join(other, 'metaflow.infra.yaml'))).toBe(false);
    } finally {
      restoreEnv();
    }
  });

  it('a stack that does not exist, and a folder that already has a manifest, are refused before anything is written', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-fromstack-'));
    const missing = await errorOf(initFromStack({ fromStack: 'nope', region: 'us-east-1', cfn, cwd: dir, poll: { delayScale: 0 } }));
    expect(missing.message).toBe('stack nope does not exist in us-east-1');
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), 'version: 1\n');
    const exists = await errorOf(initFromStack({ fromStack: 'nope', region: 'us-east-1', cfn, cwd: dir, poll: { delayScale: 0 } }));
    expect(exists.code).toBe('MANIFEST_EXISTS');
    expect(readFileSync(path.join(dir, 'metaflow.infra.yaml'), 'utf8')).toBe('version: 1\n');
  });
});

describe('manifestFromOfficialStack (AWS answers as DescribeStacks gives them)', () => {
  const stack = (parameters: Record<string, string>): DeployedStack => ({
    stackName: 'metaflow',
    region: 'us-west-2',
    status: 'UPDATE_COMPLETE',
    parameters,
    outputs: {},
    resources: {
      VPC: { type: 'AWS::EC2::VPC', physicalId: 'vpc-1' },
      MetaflowS3Bucket: { type: 'AWS::S3::Bucket', physicalId: 'metaflow-metaflows3bucket-abc' },
      ComputeEnvironment: { type: 'AWS::Batch::ComputeEnvironment', physicalId: 'arn:ce' },
      JobQueue: { type: 'AWS::Batch::JobQueue', physicalId: 'arn:jq' },
      BatchS3TaskRole: { type: 'AWS::IAM::Role', physicalId: 'r1' },
      ECSFargateService: { type: 'AWS::ECS::Service', physicalId: 's1' },
      RDSMasterInstance: { type: 'AWS::RDS::DBInstance', physicalId: 'db1' },
      StepFunctionsStateDDB: { type: 'AWS::DynamoDB::Table', physicalId: 'metaflow-StepFunctionsStateDDB-X' },
      StepFunctionsRole: { type: 'AWS::IAM::Role', physicalId: 'r2' },
      EventBridgeRole: { type: 'AWS::IAM::Role', physicalId: 'r3' },
    },
  });

  it('Fargate batch, a user role and an extra worker policy map onto their sections', async () => {
    const out = manifestFromOfficialStack(
      stack({
        BatchType: 'fargate',
        MaxVCPUBatch: '32',
        CustomRole: 'true',
        AdditionalWorkerPolicyArn: 'arn:aws:iam::123456789012:policy/extra',
        EnableSagemaker: 'false',
      }),
      {
        stackName: 'metaflow-v2',
      },
    );
    expect(out.plugins).toEqual(['network', 'datastore', 'batch', 'metadata', 'scheduling', 'access']);
    expect(out.text).toContain('      type: fargate\n      maxVcpus: 32');
    expect(out.text).toContain('managedPolicyArns: ["arn:aws:iam::123456789012:policy/extra"]');
    expect(out.report.some((r) => r.kind === 'changed' && r.what.startsWith('access:'))).toBe(true);
    expect(out.text).toContain('name: metaflow-v2');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-fromstack-'));
    const { default: access } = await import('../../../plugin-access/src/index.js');
    await compileManifest(out.text, { plugins: { network, datastore, batch, metadata, scheduling, access }, cwd: dir });
  });
});
