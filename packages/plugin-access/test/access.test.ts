/**
 * The access plugin with the real datastore, network, batch, metadata and scheduling plugins: the
 * user policy statement by statement against what Metaflow's AWS clients call for `run --with batch`,
 * `step-functions create` and `step-functions trigger`; the role's trust policy; errors; cfn-lint.
 */
import { cfnLintAvailable, compileManifest, iamStatements, iamViolations, lintVariants, problems } from '@mfinfra/core/testing';
import batchPlugin from '@mfinfra/plugin-batch';
import datastorePlugin from '@mfinfra/plugin-datastore';
import metadataPlugin from '@mfinfra/plugin-metadata';
import networkPlugin from '@mfinfra/plugin-network';
import schedulingPlugin from '@mfinfra/plugin-scheduling';
import { describe, expect, it } from 'vitest';
import { accessPlugin } from '../src/index.js';

const plugins = {
  network: networkPlugin,
  datastore: datastorePlugin,
  batch: batchPlugin,
  metadata: metadataPlugin,
  scheduling: schedulingPlugin,
  access: accessPlugin,
};

const manifest = (access: string, opts: { scheduling?: boolean; apiGateway?: boolean; fargate?: boolean; kms?: boolean } = {}) =>
  [
    'version: 1',
    'stack: { name: mf-access, region: us-west-2 }',
    `plugins: [network, datastore, batch, metadata${opts.scheduling === false ? '' : ', scheduling'}, access]`,
    'network: { create: { private: true } }',
    opts.kms ? 'datastore: { bucket: { encryption: { type: sse-kms } } }' : 'datastore: {}',
    opts.fargate
      ? 'batch: { computeEnvironments: [{ name: cpu, maxVcpus: 16 }, { name: small, type: fargate, maxVcpus: 16 }], jobQueues: [{ name: default, computeEnvironments: [cpu], default: true }, { name: light, computeEnvironments: [small] }] }'
      : 'batch: { computeEnvironments: [{ name: cpu, maxVcpus: 16 }] }',
    `metadata: { profile: development, access: ${opts.apiGateway ? 'api-gateway' : 'internal'} }`,
    ...(opts.scheduling === false ? [] : ['scheduling: { stateMachinePrefix: mfacc }']),
    `access: ${access}`,
    '',
  ].join('\n');

type Template = {
  Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
  Outputs: Record<string, { Value: unknown }>;
};

async function compile(text: string) {
  const result = await compileManifest(text, { plugins });
  return { result, template: JSON.parse(result.body) as Template };
}

const statementsOf = (template: Template) =>
  template.Resources.AccessUserPolicy!.Properties.PolicyDocument.Statement as {
    Sid: string;
    Action: string | string[];
    Resource: unknown;
    Condition?: unknown;
  }[];
const actions = (s: { Action: string | string[] }) => [s.Action].flat();
const sub = (s: string) => ({ 'Fn::Sub': s });

const variants: Record<string, string> = {
  'policy only, internal metadata, scheduling': manifest('{}'),
  'role with MFA, principals and permission sets, API Gateway, Fargate, KMS': manifest(
    "{ role: { trustedPrincipals: ['210987654321', 'arn:aws:iam::123456789012:role/ml-engineers'], ssoPermissionSets: [DataScientist], requireMfa: true, maxSessionHours: 8 } }",
    { apiGateway: true, fargate: true, kms: true },
  ),
  'no scheduling, no stack outputs': manifest('{ readStackOutputs: false }', { scheduling: false }),
};

it.skipIf(!cfnLintAvailable())(
  'every variant passes cfn-lint with no errors and no warnings',
  async () => {
    const { findings, expected } = await lintVariants(variants, async (text) => (await compile(text)).result.body);
    expect(findings).toEqual(expected);
  },
  180_000,
);

describe.each(Object.entries(variants))('%s', (_name, text) => {
  it('compiles to the expected policy and role', async () => {
    const { template } = await compile(text);
    const mine = Object.fromEntries(Object.entries(template.Resources).filter(([id]) => id.startsWith('Access')));
    const outputs = Object.fromEntries(Object.entries(template.Outputs).filter(([id]) => id.startsWith('Access')));
    expect({ resources: mine, outputs }).toMatchSnapshot();
  });

  it('grants no wildcard actions, and "*" resources only to actions AWS cannot scope', async () => {
    const { template } = await compile(text);
    expect(iamViolations(template)).toEqual([]);
    const onAny = iamStatements(template)
      .filter((s) => s.where.startsWith('Access') && s.Resource.includes('*'))
      .flatMap((s) => s.Action)
      .sort();
    const unscopable = [
      'batch:DescribeComputeEnvironments',
      'batch:DescribeJobDefinitions',
      'batch:DescribeJobQueues',
      'batch:DescribeJobs',
      'batch:ListJobs',
      'states:ListStateMachines',
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
    ];
    for (const a of onAny) expect(unscopable, a).toContain(a);
  });
});

describe('the user policy, statement by statement', () => {
  it('covers what `run --with batch` calls, on this deployment only', async () => {
    const { template } = await compile(manifest('{}'));
    const s = Object.fromEntries(statementsOf(template).map((x) => [x.Sid, x]));
    // S3 datastore (s3op.py / s3.py): list, get, put, delete under the bucket.
    expect(actions(s.MetaflowDatastoreListBucket!)).toEqual(['s3:GetBucketLocation', 's3:ListBucket']);
    expect(actions(s.MetaflowDatastoreReadWriteObjects!)).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    // batch_client.py: queue and compute environment lookups, job definition reuse, following jobs.
    expect(s.DescribeBatch!.Resource).toBe('*');
    // batch_client.py register_job_definition / submit_job: only metaflow_* definitions and this deployment's queue.
    expect(s.RegisterMetaflowJobDefinitions!.Resource).toEqual(
      sub('arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-definition/metaflow_*'),
    );
    expect(s.SubmitToDeploymentQueues!.Resource).toEqual([
      { Ref: 'BatchDefaultJobQueue' },
      sub('arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-definition/metaflow_*'),
    ]);
    expect(actions(s.TerminateAndTagJobs!)).toEqual(['batch:TagResource', 'batch:TerminateJob']);
    // The job definition names the job role: PassRole for exactly that role, only to Batch/ECS.
    expect(s.PassBatchJobRoles).toMatchObject({
      Action: 'iam:PassRole',
      Resource: [{ 'Fn::GetAtt': ['BatchJobRole', 'Arn'] }],
      Condition: { StringEquals: { 'iam:PassedToService': ['batch.amazonaws.com', 'ecs-tasks.amazonaws.com'] } },
    });
    expect(s.ReadBatchJobLogs).toMatchObject({
      Action: 'logs:GetLogEvents',
      Resource: sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/batch/job:log-stream:*'),
    });
  });

  it('covers what `step-functions create` and `trigger` call, on the state-machine prefix only', async () => {
    const { template } = await compile(manifest('{}'));
    const s = Object.fromEntries(statementsOf(template).map((x) => [x.Sid, x]));
    expect(s.ListStateMachines).toMatchObject({ Action: 'states:ListStateMachines', Resource: '*' });
    expect(s.ManageDeploymentStateMachines!.Resource).toEqual(
      sub('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:mfacc*'),
    );
    expect(actions(s.ManageDeploymentStateMachines!)).toEqual(
      expect.arrayContaining([
        'states:CreateStateMachine',
        'states:UpdateStateMachine',
        'states:StartExecution',
        'states:DeleteStateMachine',
      ]),
    );
    expect(s.ManageDeploymentExecutions!.Resource).toEqual(
      sub('arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:mfacc*:*'),
    );
    expect(s.PassStepFunctionsRole).toMatchObject({
      Resource: { 'Fn::GetAtt': ['SchedulingStepFunctionsRole', 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } },
    });
    expect(s.ManageDeploymentSchedules!.Resource).toEqual(sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/mfacc*'));
    expect(actions(s.ManageDeploymentSchedules!)).toEqual(
      expect.arrayContaining(['events:PutRule', 'events:PutTargets', 'events:DeleteRule', 'events:RemoveTargets']),
    );
    expect(s.PassEventBridgeRole).toMatchObject({
      Resource: { 'Fn::GetAtt': ['SchedulingEventBridgeRole', 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
    });
    // Execution history logging is on by default in the scheduling plugin.
    expect(s.DeliverExecutionLogs!.Resource).toBe('*');
    expect(s.ReadDeploymentOutputs).toMatchObject({
      Action: 'cloudformation:DescribeStacks',
      Resource: sub('arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/mf-access/*'),
    });
  });

  it('reads the API key only with API Gateway, passes the Fargate execution role only with Fargate, and only this queue set', async () => {
    const plain = Object.fromEntries(statementsOf((await compile(manifest('{}'))).template).map((x) => [x.Sid, x]));
    expect(plain.ReadMetadataApiKey).toBeUndefined();
    const { template } = await compile(manifest('{}', { apiGateway: true, fargate: true }));
    const s = Object.fromEntries(statementsOf(template).map((x) => [x.Sid, x]));
    expect(s.ReadMetadataApiKey).toMatchObject({
      Action: 'apigateway:GET',
      Resource: { 'Fn::Sub': ['arn:${AWS::Partition}:apigateway:${AWS::Region}::/apikeys/${Key}', { Key: { Ref: 'MetadataApiKey' } }] },
    });
    expect((s.PassBatchJobRoles!.Resource as unknown[]).length).toBe(2);
    expect((s.SubmitToDeploymentQueues!.Resource as unknown[]).length).toBe(3);
  });

  it('has no Step Functions or EventBridge statements without scheduling', async () => {
    const { template } = await compile(manifest('{}', { scheduling: false }));
    const all = statementsOf(template).flatMap(actions);
    expect(all.filter((a) => a.startsWith('states:') || a.startsWith('events:'))).toEqual([]);
  });
  it("grants the execution log delivery actions only while scheduling keeps execution logs (scheduling's api says so)", async () => {
    const sids = async (scheduling: string) =>
      statementsOf((await compile(manifest('{}').replace('scheduling: { stateMachinePrefix: mfacc }', scheduling))).template).map(
        (x) => x.Sid,
      );
    expect(await sids('scheduling: { stateMachinePrefix: mfacc }')).toContain('DeliverExecutionLogs');
    expect(await sids('scheduling: { stateMachinePrefix: mfacc, executionLogs: { enabled: false } }')).not.toContain(
      'DeliverExecutionLogs',
    );
  });
});

describe('the role', () => {
  it('trusts only the listed principals and permission sets, with MFA when asked, and carries the policy', async () => {
    const { template } = await compile(variants['role with MFA, principals and permission sets, API Gateway, Fargate, KMS']!);
    const role = template.Resources.AccessUserRole!.Properties;
    expect(role.ManagedPolicyArns).toEqual([{ Ref: 'AccessUserPolicy' }]);
    expect(role.MaxSessionDuration).toBe(28800);
    const [direct, sso] = role.AssumeRolePolicyDocument.Statement;
    expect(direct.Principal.AWS).toEqual([
      sub('arn:${AWS::Partition}:iam::210987654321:root'),
      'arn:aws:iam::123456789012:role/ml-engineers',
    ]);
    expect(direct.Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
    expect(sso.Condition.ArnLike['aws:PrincipalArn']).toEqual([
      sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*'),
    ]);
    expect(template.Outputs.AccessUserRoleArn!.Value).toEqual({ 'Fn::GetAtt': ['AccessUserRole', 'Arn'] });
    expect(template.Outputs.AccessUserPolicyArn!.Value).toEqual({ Ref: 'AccessUserPolicy' });
  });

  it('leaves the Metaflow config unchanged: the plugin adds no config keys', async () => {
    const without = await compileManifest(
      manifest('{}')
        .replace(', access]', ']')
        .replace(/^access: .*\n/m, ''),
      { plugins },
    );
    const withAccess = await compileManifest(manifest("{ role: { trustedPrincipals: ['210987654321'] } }"), { plugins });
    expect(withAccess.configOutputs.map((c) => c.key)).toEqual(without.configOutputs.map((c) => c.key));
  });

  it('refuses a role nobody may assume, at its position', async () => {
    expect(await problems(manifest('{ role: { requireMfa: true } }'), { plugins })).toMatchSnapshot();
  });
});
