/**
 * The examples deployed through change sets on a moto server (issues #3 and #4), as far as moto
 * emulates their resource types. One moto server for the file, reset before each step that deploys;
 * the examples run one after the other. Each works on a temp copy (local state stays out of the repo).
 *
 * For each example:
 * 1. `mfinfra apply <copy> --yes --json` exactly as a user runs it. Where moto lacks something the
 *    template needs, the failure is exactly that gap and nothing else; with each gap shimmed in
 *    turn, the next failure is exactly the next gap.
 * 2. The same compiled template with every gap shimmed (`motoShim`, test-only) goes through the same
 *    deploy engine the CLI calls (`applyDeploy`): CREATE_COMPLETE, and DescribeStackResources lists
 *    every resource of a type moto emulates, under its logical id and type.
 * 3. A second plan is "nothing to deploy"; and `mfinfra plan` of the unshimmed manifest differs from
 *    the deployed stack by exactly what the shim changed.
 * 4. `mfinfra destroy --yes` deletes the stack and the local state; a second destroy finds no stack.
 *
 * moto 5.2.1's gaps met here (reference/test-peers.md lists more):
 * - No stack Outputs after ExecuteChangeSet, so writing Metaflow's config after a deploy fails with
 *   OUTPUT_MISSING naming every config key (that path is tested with recorded responses in
 *   packages/core/test/outputs). Every deploy below ends in exactly that error.
 * - AWS::Batch::ComputeEnvironment: moto reads `Properties["ServiceRole"]` unconditionally and
 *   answers ExecuteChangeSet with a bare HTTP 500 (`KeyError: 'ServiceRole'` in its log). On AWS the
 *   property is optional and the batch plugin omits it on purpose: Batch then uses its service-linked
 *   role AWSServiceRoleForBatch. The shim names that role explicitly; moto has no service-linked
 *   roles, so an "account baseline" stack first makes a role with the same path and name.
 * - AWS::ElasticLoadBalancingV2::Listener with Protocol TCP (the metadata service's internal Network
 *   Load Balancer): moto ignores the load balancer's `Type: network` and refuses with
 *   `ValidationError: Listener protocol 'TCP' must be one of 'HTTP, HTTPS'`. The shim removes the
 *   TCP listeners and what refers to or depends on them (the ECS service, through DependsOn).
 * - UpdateTerminationProtection is not implemented (examples/full sets stack.terminationProtection):
 *   the stack is created, then the call answers HTTP 500. The shim turns the manifest's protection off.
 * - Types moto accepts but creates nothing for (DescribeStackResources lists them without a logical
 *   id or type): MOTO_IGNORED_TYPES.
 * - DeleteStack of a stack with its own VPC answers `DependencyViolation` (moto never deletes the VPC
 *   endpoint, route tables or gateway attachment it made) yet deletes the stack.
 *
 * The existing-VPC examples get a VPC, subnets and a security group that exist (made by the baseline
 * stack) in place of the placeholder ids in their manifests, as a user's own VPC would.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyDeploy,
  compile,
  loadAwsClients,
  planDeploy,
  serializeTemplate,
  type CfnTemplate,
  type CompileResult,
  type DeployContext,
} from '../../packages/core/src/index.js';
import { RecordingIoHost } from '../../packages/core/src/testing.js';
// The SDK core deploys with (the root has no AWS SDK of its own); used here to look at what moto did.
import * as sdk from '../../packages/core/test/helpers/cloudformationSdk.js';
import { useFakeAwsEnv } from '../../packages/core/test/helpers/awsEnv.js';
import { runCli } from '../../packages/core/test/helpers/runCli.js';
import { motoAvailable, startMoto, type MotoServer } from '../helpers/moto.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Types moto 5.2.1 accepts in a template but creates nothing for. */
const MOTO_IGNORED_TYPES = new Set([
  'AWS::S3::BucketPolicy',
  'AWS::SecretsManager::Secret',
  'AWS::SecretsManager::SecretTargetAttachment',
  'AWS::SecretsManager::RotationSchedule',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
  'AWS::ApiGateway::VpcLink',
  'AWS::ApiGateway::Account',
  'AWS::ApiGateway::RequestValidator',
]);

/** How mfinfra reports moto's bare HTTP 500 page (an exception inside moto). */
const MOTO_HTTP_500 = 'the endpoint answered HTTP 500 (500 Internal Server Error), not an AWS API response';

type Gap = 'batch-service-role' | 'tcp-listener' | 'termination-protection';

interface ExampleCase {
  example: string;
  /** The moto gaps its template meets, in the order moto meets them. */
  gaps: Gap[];
  /** What the shim changes: compute environments given a ServiceRole, resources removed. */
  shim: { serviceRole: string[]; removed: string[] };
  /** Its manifest names a VPC that exists already (placeholder ids replaced by real ones). */
  existingVpc?: boolean;
  /** The stack makes its own VPC (moto's DeleteStack then answers DependencyViolation). */
  vpcInStack?: boolean;
}

// The migration runner names the service (to restart it), so it and the custom resource that calls it go too.
const METADATA_REMOVED = [
  'MetadataMigrationListener',
  'MetadataMigrationRunner',
  'MetadataMigrationRunnerRole',
  'MetadataSchemaMigration',
  'MetadataService',
  'MetadataServiceListener',
];

const CASES: ExampleCase[] = [
  { example: 'minimal', gaps: [], shim: { serviceRole: [], removed: [] } },
  {
    example: 'datastore-batch',
    gaps: ['batch-service-role'],
    shim: { serviceRole: ['BatchCpuComputeEnvironment'], removed: [] },
    vpcInStack: true,
  },
  {
    example: 'existing-vpc',
    gaps: ['batch-service-role'],
    shim: { serviceRole: ['BatchCpuComputeEnvironment'], removed: [] },
    existingVpc: true,
  },
  {
    example: 'private-networking',
    gaps: ['batch-service-role'],
    shim: { serviceRole: ['BatchCpuComputeEnvironment'], removed: [] },
    vpcInStack: true,
  },
  {
    example: 'spot-gpu',
    gaps: ['batch-service-role'],
    shim: {
      serviceRole: ['BatchCpuOnDemandComputeEnvironment', 'BatchCpuSpotComputeEnvironment', 'BatchGpuComputeEnvironment'],
      removed: [],
    },
    vpcInStack: true,
  },
  {
    example: 'metadata-internal',
    gaps: ['batch-service-role', 'tcp-listener'],
    shim: { serviceRole: ['BatchCpuComputeEnvironment'], removed: METADATA_REMOVED },
    vpcInStack: true,
  },
  {
    example: 'metadata-api-gateway',
    gaps: ['batch-service-role', 'tcp-listener'],
    shim: { serviceRole: ['BatchCpuComputeEnvironment'], removed: METADATA_REMOVED },
    existingVpc: true,
  },
  {
    example: 'full',
    gaps: ['batch-service-role', 'tcp-listener', 'termination-protection'],
    shim: { serviceRole: ['BatchCpuComputeEnvironment', 'BatchCpuOnDemandComputeEnvironment'], removed: METADATA_REMOVED },
    vpcInStack: true,
  },
];

// ---------------------------------------------------------------------------------------------
// The test-only shim for moto's gaps

type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: string | string[]; DeletionPolicy?: string };

const resourcesOf = (compiled: CompileResult) => Object.entries(compiled.template.Resources as Record<string, Resource>);
const regionOf = (compiled: CompileResult) => compiled.region!;

/** Logical ids a value refers to (Ref, Fn::GetAtt, ${X} / ${X.Attr} in Fn::Sub). */
function referencedIds(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt') out.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]!);
      else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? String(v[0]) : String(v);
        for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) out.add(m[1]!.split('.')[0]!);
        if (Array.isArray(v)) referencedIds(v[1], out);
      } else referencedIds(v, out);
    }
  }
  return out;
}

/**
 * The template with moto's gaps worked around (only for the gaps given): compute environments name
 * Batch's service-linked role; TCP listeners and everything that refers to or depends on them are
 * removed, with the Outputs that refer to removed resources.
 */
function motoShim(
  template: CfnTemplate,
  gaps: Gap[],
  serviceRoleArn: string,
): { template: CfnTemplate; serviceRole: string[]; removed: string[] } {
  const t = structuredClone(template) as CfnTemplate & { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };
  const serviceRole: string[] = [];
  if (gaps.includes('batch-service-role')) {
    for (const [id, r] of Object.entries(t.Resources)) {
      if (r.Type === 'AWS::Batch::ComputeEnvironment' && r.Properties && r.Properties.ServiceRole === undefined) {
        r.Properties.ServiceRole = serviceRoleArn;
        serviceRole.push(id);
      }
    }
  }
  const removed = new Set<string>();
  if (gaps.includes('tcp-listener')) {
    for (const [id, r] of Object.entries(t.Resources)) {
      if (r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties?.Protocol === 'TCP') removed.add(id);
    }
    for (let grew = true; grew;) {
      grew = false;
      for (const [id, r] of Object.entries(t.Resources)) {
        if (removed.has(id)) continue;
        const deps = [r.DependsOn ?? []].flat();
        if ([...referencedIds(r), ...deps].some((d) => removed.has(d))) {
          removed.add(id);
          grew = true;
        }
      }
    }
    for (const id of removed) delete t.Resources[id];
    for (const [name, o] of Object.entries(t.Outputs ?? {})) if ([...referencedIds(o)].some((d) => removed.has(d))) delete t.Outputs![name];
  }
  return { template: t, serviceRole: serviceRole.sort(), removed: [...removed].sort() };
}

/** The compiled manifest with the shim; for 'termination-protection', the manifest's protection is off. */
async function shimmed(compiled: CompileResult, gaps: Gap[], serviceRoleArn: string) {
  const s = motoShim(compiled.template, gaps, serviceRoleArn);
  const manifest = gaps.includes('termination-protection')
    ? { ...compiled.manifest, stack: { ...compiled.manifest.stack, terminationProtection: false } }
    : compiled.manifest;
  const result: CompileResult = {
    ...compiled,
    manifest,
    template: s.template,
    body: await serializeTemplate(s.template, 'json'),
    format: 'json',
  };
  return { compiled: result, serviceRole: s.serviceRole, removed: s.removed };
}

// ---------------------------------------------------------------------------------------------
// What a user's AWS account has before they deploy: Batch's service-linked role, and (for the
// existing-VPC examples) their VPC.

const BASELINE_STACK = 'account-baseline';

function baselineTemplate(region: string, vpc: boolean): object {
  const resources: Record<string, Resource> = {
    BatchServiceLinkedRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'AWSServiceRoleForBatch',
        Path: '/aws-service-role/batch.amazonaws.com/',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'batch.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
      },
    },
  };
  const outputs: Record<string, { Value: unknown }> = {
    BatchServiceRoleArn: { Value: { 'Fn::GetAtt': ['BatchServiceLinkedRole', 'Arn'] } },
  };
  if (vpc) {
    resources.Vpc = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } };
    resources.SubnetA = {
      Type: 'AWS::EC2::Subnet',
      Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.1.0/24', AvailabilityZone: `${region}a` },
    };
    resources.SubnetB = {
      Type: 'AWS::EC2::Subnet',
      Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.2.0/24', AvailabilityZone: `${region}b` },
    };
    resources.SharedSecurityGroup = { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { Ref: 'Vpc' }, GroupDescription: 'shared' } };
    outputs.VpcId = { Value: { Ref: 'Vpc' } };
    outputs.SubnetA = { Value: { Ref: 'SubnetA' } };
    outputs.SubnetB = { Value: { Ref: 'SubnetB' } };
    outputs.SecurityGroupId = { Value: { 'Fn::GetAtt': ['SharedSecurityGroup', 'GroupId'] } };
  }
  return { AWSTemplateFormatVersion: '2010-09-09', Resources: resources, Outputs: outputs };
}

// ---------------------------------------------------------------------------------------------

const hasMoto = motoAvailable();

describe.skipIf(!hasMoto)('the examples deploy through change sets on moto, as far as moto emulates their types', () => {
  let moto: MotoServer;
  let restoreEnv: () => void = () => {};
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-examples-moto-'));

  beforeAll(async () => {
    moto = await startMoto();
    restoreEnv = useFakeAwsEnv({ METAFLOW_HOME: path.join(scratch, 'metaflow-home') }, [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_CLOUDFORMATION',
      'AWS_ENDPOINT_URL_S3',
    ]);
  });

  afterAll(async () => {
    restoreEnv();
    await moto?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const cfnClient = (region: string) =>
    new sdk.CloudFormationClient({
      region,
      endpoint: moto.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });

  async function deployContext(region: string): Promise<DeployContext> {
    // delayScale 0: moto answers synchronously, nothing to wait for between polls.
    return {
      clients: await loadAwsClients({ region, endpointUrl: moto.endpoint, maxAttempts: 1 }),
      io: new RecordingIoHost({ CONFIRM_RECREATE: true, CONFIRM_DEPLOY: true }),
      delayScale: 0,
    };
  }

  // No --template-bucket: a template that fits minified goes inline; one that does not (examples/full,
  // ~57 KB minified) goes through mfinfra's managed staging bucket (test/e2e/managed-bucket-moto.test.ts).
  const cliArgs = (_c: ExampleCase) => ['--endpoint-url', moto.endpoint, '--json'];

  /** Reset moto and create the account baseline; its outputs. */
  async function freshAccount(region: string, vpc: boolean): Promise<Record<string, string>> {
    await moto.reset();
    const cfn = cfnClient(region);
    await cfn.send(new sdk.CreateStackCommand({ StackName: BASELINE_STACK, TemplateBody: JSON.stringify(baselineTemplate(region, vpc)) }));
    const { Stacks } = await cfn.send(new sdk.DescribeStacksCommand({ StackName: BASELINE_STACK }));
    expect(Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    return Object.fromEntries((Stacks![0]!.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  }

  /** A copy of the example in a temp folder, its plugins resolving as beside the examples. */
  function copyExample(example: string, baseline: Record<string, string>, existingVpc: boolean): string {
    const dir = mkdtempSync(path.join(scratch, `${example}-`));
    cpSync(path.join(repo, 'examples', example), dir, { recursive: true });
    symlinkSync(path.join(repo, 'examples', 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    if (existingVpc) {
      const file = path.join(dir, 'metaflow.infra.yaml');
      const text = readFileSync(file, 'utf8')
        .replaceAll('vpc-0123456789abcdef0', baseline.VpcId!)
        .replaceAll('subnet-0123456789abcdef0', baseline.SubnetA!)
        .replaceAll('subnet-0fedcba9876543210', baseline.SubnetB!)
        .replaceAll('sg-0123456789abcdef0', baseline.SecurityGroupId!);
      expect(text).not.toMatch(/\b(vpc|subnet|sg)-0(123456789abcdef|fedcba9876543210)/);
      writeFileSync(file, text);
    }
    return dir;
  }

  /** The length of moto's log once it is quiet (it logs a request after answering it): a mark. */
  async function settledLog(): Promise<number> {
    for (let length = -1; length !== moto.logLength();) {
      length = moto.logLength();
      await new Promise((r) => setTimeout(r, 150));
    }
    return moto.logLength();
  }

  /** The tracebacks moto logged from `mark` on, as "file function: exception". */
  async function motoFailures(mark: number): Promise<string[]> {
    await settledLog();
    const log = moto.logSince(mark);
    const out: string[] = [];
    for (const tb of log.split('Traceback (most recent call last):').slice(1)) {
      const last = [...tb.matchAll(/File ".*?site-packages\/(moto\/[^"]+)", line \d+, in (\w+)/g)].at(-1);
      const exception = tb.split('\n').find((l) => /^\w+(Error|Exception)\b/.test(l));
      out.push(`${last?.[1]} ${last?.[2]}: ${exception}`);
    }
    return out;
  }

  /** The error an apply ends with when moto returned no stack Outputs: deployed, config files not written. */
  function noOutputsError(compiled: CompileResult) {
    const missing = compiled.configOutputs.filter((c) => c.literal === undefined);
    expect(missing.length).toBeGreaterThan(0);
    return {
      code: 'OUTPUT_MISSING',
      message: `stack ${compiled.stackName} was deployed (CREATE_COMPLETE), but the config files were not written: stack ${compiled.stackName} has no output for ${
        missing.length === 1
          ? `${missing[0]!.key} (stack output ${missing[0]!.outputName}, from ${missing[0]!.plugin})`
          : `these config keys: ${missing.map((c) => `${c.key} (stack output ${c.outputName}, from ${c.plugin})`).join(', ')}`
      }`,
    };
  }

  /** The error a deploy call ends with (code and message, so a mismatch shows both in full). */
  async function failureOf(call: Promise<unknown>): Promise<{ code: string; message: string }> {
    try {
      await call;
    } catch (e) {
      return { code: (e as { code: string }).code, message: (e as Error).message };
    }
    throw new Error('expected the call to fail');
  }

  async function stackOf(region: string, stackName: string) {
    const { Stacks } = await cfnClient(region).send(new sdk.DescribeStacksCommand({ StackName: stackName }));
    return Stacks![0]!;
  }

  /**
   * A fresh moto account for the example (reset, then the baseline), and a copy of the example
   * compiled for it: the ids of a baseline VPC change with every reset.
   */
  async function prepare(c: ExampleCase): Promise<{ dir: string; compiled: CompileResult; baseline: Record<string, string> }> {
    const manifest = readFileSync(path.join(repo, 'examples', c.example, 'metaflow.infra.yaml'), 'utf8');
    const region = /^\s+region: (\S+)/m.exec(manifest)![1]!;
    const baseline = await freshAccount(region, c.existingVpc === true);
    const dir = copyExample(c.example, baseline, c.existingVpc === true);
    const compiled = await compile({ manifest: dir });
    expect(compiled.region).toBe(region);
    return { dir, compiled, baseline };
  }

  /** `mfinfra apply` with the gaps before `upTo` shimmed (the CLI itself when nothing is shimmed). */
  async function applyUpTo(
    c: ExampleCase,
    upTo: number,
  ): Promise<{ error: { code: string; message: string }; compiled: CompileResult; mark: number }> {
    const { dir, compiled, baseline } = await prepare(c);
    const mark = await settledLog();
    if (upTo === 0) {
      const r = await runCli(['apply', dir, '--yes', ...cliArgs(c)]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      // No --template-bucket: inline when the minified template fits, else mfinfra's managed bucket.
      if (compiled.stats.needsS3Upload) expect(r.stderr).toContain("to mfinfra's managed staging bucket: s3://mfinfra-templates-");
      else expect(r.stderr).not.toContain('uploaded the template');
      const { code, message } = JSON.parse(r.stdout).error;
      return { error: { code, message }, compiled, mark };
    }
    const s = await shimmed(compiled, c.gaps.slice(0, upTo), baseline.BatchServiceRoleArn!);
    const ctx = await deployContext(regionOf(compiled));
    const error = await failureOf(applyDeploy(s.compiled, ctx, { yes: true }));
    return { error, compiled, mark };
  }

  for (const c of CASES) {
    describe(c.example, () => {
      // The deployed copy: its folder, its compiled manifest, and that shimmed for moto's gaps.
      let dir: string;
      let compiled: CompileResult;
      let deployed: CompileResult;

      for (const [i, gap] of c.gaps.entries()) {
        it(`${i === 0 ? 'mfinfra apply' : `with ${c.gaps.slice(0, i).join(', ')} shimmed, apply`} fails exactly at moto's gap: ${gap}`, async () => {
          const { error, compiled, mark } = await applyUpTo(c, i);
          const stackName = compiled.stackName;
          switch (gap) {
            case 'batch-service-role': {
              expect(error).toEqual({ code: 'AWS_ERROR', message: `failed to execute the change set: ${MOTO_HTTP_500}` });
              expect(await motoFailures(mark)).toEqual(["moto/batch/models.py create_from_cloudformation_json: KeyError: 'ServiceRole'"]);
              const environments = resourcesOf(compiled).filter(([, r]) => r.Type === 'AWS::Batch::ComputeEnvironment');
              expect(environments.map(([id]) => id).sort()).toEqual(c.shim.serviceRole);
              for (const [, r] of environments) expect(r.Properties).not.toHaveProperty('ServiceRole');
              break;
            }
            case 'tcp-listener': {
              expect(error).toEqual({
                code: 'AWS_ERROR',
                message: "failed to execute the change set: ValidationError: Listener protocol 'TCP' must be one of 'HTTP, HTTPS'",
              });
              expect(await motoFailures(mark)).toEqual([]);
              const listeners = resourcesOf(compiled).filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener');
              expect(listeners.map(([id, r]) => `${id} ${r.Properties?.Protocol}`)).toEqual([
                'MetadataMigrationListener TCP',
                'MetadataServiceListener TCP',
              ]);
              break;
            }
            case 'termination-protection': {
              // The stack is created; turning its protection on is what moto cannot do.
              expect(error).toEqual({ code: 'AWS_ERROR', message: `failed to update termination protection: ${MOTO_HTTP_500}` });
              // Asked again on a 5xx (the call is idempotent): the same answer each time.
              expect(new Set(await motoFailures(mark))).toEqual(
                new Set([
                  'moto/core/responses.py call_action: NotImplementedError: The update_termination_protection action has not been implemented',
                ]),
              );
              expect((await stackOf(regionOf(compiled), stackName)).StackStatus).toBe('CREATE_COMPLETE');
              expect(compiled.manifest.stack.terminationProtection).toBe(true);
              break;
            }
          }
        });
      }

      it(
        c.gaps.length
          ? `with every gap shimmed, the same engine deploys it: CREATE_COMPLETE; only the config outputs fail (no stack Outputs)`
          : 'mfinfra apply: CREATE_COMPLETE; only the config outputs fail (moto returns no stack Outputs)',
        async () => {
          const prepared = await prepare(c);
          ({ dir, compiled } = prepared);
          const mark = await settledLog();
          if (!c.gaps.length) {
            const r = await runCli(['apply', dir, '--yes', ...cliArgs(c)]);
            expect(r.code, r.stdout + r.stderr).toBe(1);
            expect(JSON.parse(r.stdout).error).toMatchObject(noOutputsError(compiled));
            expect(r.stderr).toMatch(new RegExp(`CREATE_COMPLETE +AWS::CloudFormation::Stack +${compiled.stackName}\n`));
            deployed = compiled;
          } else {
            const s = await shimmed(compiled, c.gaps, prepared.baseline.BatchServiceRoleArn!);
            expect({ serviceRole: s.serviceRole, removed: s.removed }).toEqual(c.shim);
            deployed = s.compiled;
            const ctx = await deployContext(regionOf(compiled));
            expect(await failureOf(applyDeploy(s.compiled, ctx, { yes: true }))).toEqual(noOutputsError(s.compiled));
          }
          expect(await motoFailures(mark)).toEqual([]);
          expect(existsSync(path.join(dir, '.mfinfra', 'state', `${compiled.stackName}.json`))).toBe(true);
        },
      );

      it('the stack is CREATE_COMPLETE with every resource moto emulates, under its logical id', async () => {
        const region = regionOf(compiled);
        expect((await stackOf(region, compiled.stackName)).StackStatus).toBe('CREATE_COMPLETE');
        const { StackResources = [] } = await cfnClient(region).send(
          new sdk.DescribeStackResourcesCommand({ StackName: compiled.stackName }),
        );
        const resources = resourcesOf(deployed);
        const emulated = resources.filter(([, r]) => !MOTO_IGNORED_TYPES.has(r.Type));
        expect(
          StackResources.filter((r) => r.LogicalResourceId)
            .map((r) => `${r.LogicalResourceId} ${r.ResourceType} ${r.ResourceStatus}`)
            .sort(),
        ).toEqual(emulated.map(([id, r]) => `${id} ${r.Type} CREATE_COMPLETE`).sort());
        expect(StackResources.filter((r) => !r.LogicalResourceId)).toHaveLength(resources.length - emulated.length);
      });

      it('a second plan: nothing to deploy', async () => {
        if (!c.gaps.length) {
          const r = await runCli(['plan', dir, '--detailed-exitcode', ...cliArgs(c)]);
          expect(r.code, r.stdout + r.stderr).toBe(0);
          expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, status: 'no-changes', changeSetId: null, changeSetType: 'UPDATE' });
          return;
        }
        const planned = await planDeploy(deployed, await deployContext(regionOf(compiled)), {
          discard: true,
        });
        expect(planned.plan).toMatchObject({ status: 'no-changes', changeSetType: 'UPDATE' });
        // mfinfra plan of the manifest itself: the deployed stack lacks exactly what the shim changed.
        const r = await runCli(['plan', dir, '--discard', ...cliArgs(c)]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        const out = JSON.parse(r.stdout);
        expect(out.preview.changes.map((x: { action: string; logicalId: string }) => `${x.action} ${x.logicalId}`).sort()).toEqual(
          [...c.shim.serviceRole.map((id) => `modify ${id}`), ...c.shim.removed.map((id) => `add ${id}`)].sort(),
        );
      });

      it(
        c.vpcInStack
          ? 'mfinfra destroy --yes: moto deletes the stack but answers DependencyViolation for its VPC'
          : 'mfinfra destroy --yes deletes the stack and the local state',
        async () => {
          const region = regionOf(compiled);
          const { StackResources = [] } = await cfnClient(region).send(
            new sdk.DescribeStackResourcesCommand({ StackName: compiled.stackName }),
          );
          const r = await runCli(['destroy', dir, '--yes', ...cliArgs(c)]);
          const out = JSON.parse(r.stdout);
          const stateFile = path.join(dir, '.mfinfra', 'state', `${compiled.stackName}.json`);
          if (c.vpcInStack) {
            // moto deletes resources in passes and never deletes the VPC endpoint, route tables or
            // gateway attachment it created, so the VPC keeps dependencies; AWS reports a failed
            // deletion through stack events instead, never as DeleteStack's answer.
            const vpc = StackResources.find((x) => x.LogicalResourceId === 'NetworkVpc')!.PhysicalResourceId;
            expect(r.code, r.stdout + r.stderr).toBe(1);
            expect(out.error).toMatchObject({
              code: 'AWS_ERROR',
              message: `failed to delete the stack: DependencyViolation: The vpc ${vpc} has dependencies and cannot be deleted.`,
            });
            expect(existsSync(stateFile)).toBe(true);
          } else {
            expect(r.code, r.stdout + r.stderr).toBe(0);
            expect(out).toMatchObject({ ok: true, status: 'deleted', finalStatus: 'DELETE_COMPLETE' });
            expect(out.retained.map((x: { logicalId: string }) => x.logicalId).sort()).toEqual(
              resourcesOf(deployed)
                .filter(([, x]) => x.DeletionPolicy === 'Retain' || x.DeletionPolicy === 'Snapshot')
                .map(([id]) => id)
                .sort(),
            );
            expect(existsSync(stateFile)).toBe(false);
          }
          expect(await failureOf(stackOf(region, compiled.stackName))).toMatchObject({
            message: `Stack with id ${compiled.stackName} does not exist`,
          });
          const again = await runCli(['destroy', dir, '--yes', ...cliArgs(c)]);
          expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, status: 'no-stack' });
        },
      );
    });
  }
});
