import {
  actionsOnAnyResource,
  cfnLintAvailable,
  compileError,
  compileManifest,
  iamStatements,
  iamViolations,
  lintVariants,
} from '@mfinfra/core/testing';
import { describe, expect, it } from 'vitest';
import { LOG_DELIVERY_ACTIONS, schedulingPlugin } from '../src/index.js';
import { manifest, plugins as fakes } from './fakes.js';

const plugins = { ...fakes, scheduling: schedulingPlugin };
type Template = {
  Resources: Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Outputs: Record<string, { Value: unknown }>;
};

async function compile(scheduling: string, opts: Parameters<typeof manifest>[1] = {}) {
  const result = await compileManifest(manifest(scheduling, opts), { plugins });
  return { result, template: JSON.parse(result.body) as Template };
}

const variants: Record<string, [string, Parameters<typeof manifest>[1]]> = {
  defaults: ['scheduling: {}', {}],
  'no section at all': ['', {}],
  'custom prefix, KMS everywhere, no EventBridge, no execution logs': [
    [
      'scheduling:',
      '  stateMachinePrefix: mlprod',
      '  eventBridge: false',
      '  dynamoDb: { pointInTimeRecovery: false, kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/0000abcd-12ab-34cd-56ef-1234567890ab" }',
      '  executionLogs: { enabled: false }',
    ].join('\n'),
    { datastore: '{ kms: true }' },
  ],
};

it.skipIf(!cfnLintAvailable())('every variant passes cfn-lint with no errors and no warnings', async () => {
  const { findings, expected } = await lintVariants(variants, async ([scheduling, opts]) => (await compile(scheduling, opts)).result.body, {
    region: 'us-west-2',
  });
  expect(findings).toEqual(expected);
});

describe.each(Object.entries(variants))('%s', (_name, [scheduling, opts]) => {
  it('compiles to the expected template', async () => {
    const { template } = await compile(scheduling, opts);
    expect(template).toMatchSnapshot();
  });

  it('grants no wildcard actions, and "*" resources only where AWS allows nothing narrower', async () => {
    const { template } = await compile(scheduling, opts);
    expect(iamViolations(template)).toEqual([]);
    const allowedOnAny = new Set(['batch:DescribeJobs', ...LOG_DELIVERY_ACTIONS]);
    expect(actionsOnAnyResource(template).filter((a) => !allowedOnAny.has(a))).toEqual([]);
  });
});

describe('roles', () => {
  it("lets EventBridge start only this deployment's state machines", async () => {
    const { template } = await compile('scheduling: { stateMachinePrefix: mlprod }');
    expect(iamStatements(template).filter((s) => s.where === 'SchedulingEventBridgeRole')).toEqual([
      {
        where: 'SchedulingEventBridgeRole',
        Effect: 'Allow',
        Action: ['states:StartExecution'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:mlprod*' }],
      },
    ]);
  });

  it("scopes Batch submission to this deployment's queues and Metaflow's job definitions", async () => {
    const { template } = await compile('scheduling: {}');
    const submit = iamStatements(template).find((s) => s.Action.includes('batch:SubmitJob'))!;
    expect(submit.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-queue/mf-test-cpu' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-queue/mf-test-gpu' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-definition/metaflow_*' },
    ]);
    const rule = iamStatements(template).find((s) => s.Action.includes('events:PutRule'))!;
    expect(rule.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForBatchJobsRule' },
    ]);
  });

  it('gives the Step Functions role the datastore statements for distributed map', async () => {
    const { template } = await compile('scheduling: {}', { datastore: '{ kms: true }' });
    const sids = template.Resources.SchedulingStepFunctionsRole!.Properties.Policies[0].PolicyDocument.Statement.map(
      (s: { Sid: string }) => s.Sid,
    );
    expect(sids).toEqual([
      'SubmitMetaflowBatchJobs',
      'ManageBatchJobs',
      'DescribeBatchJobs',
      'BatchJobEventsRule',
      'ForeachStateTable',
      'StartChildExecutions',
      'ManageChildExecutions',
      'MetaflowDatastoreListBucket',
      'MetaflowDatastoreReadWriteObjects',
      'MetaflowDatastoreUseKey',
      'DeliverExecutionLogs',
    ]);
  });

  it("adds table access to Batch's job role as a separate policy", async () => {
    const { template } = await compile('scheduling: {}');
    expect(template.Resources.SchedulingBatchJobTablePolicy!.Properties).toEqual({
      PolicyName: 'metaflow-foreach-state',
      Roles: [{ Ref: 'FakeBatchJobRole' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ForeachStateTable',
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
            Resource: { 'Fn::GetAtt': ['SchedulingStateTable', 'Arn'] },
          },
        ],
      },
    });
  });
});

describe('table', () => {
  it('is keyed by pathspec with TTL on ttl, on demand, recoverable, encrypted and retained', async () => {
    const { template } = await compile('scheduling: {}');
    const table = template.Resources.SchedulingStateTable!;
    expect([table.DeletionPolicy, table.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    expect(table.Properties).toEqual({
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pathspec', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pathspec', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });
});

describe('outputs', () => {
  it('gives every Step Functions config key, with the stack name as the default prefix', async () => {
    const { result } = await compile('scheduling: {}');
    expect(result.configOutputs.map((c) => [c.key, c.value])).toEqual([
      ['METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE', { 'Fn::GetAtt': ['SchedulingEventBridgeRole', 'Arn'] }],
      ['METAFLOW_SFN_DYNAMO_DB_TABLE', { Ref: 'SchedulingStateTable' }],
      ['METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN', { 'Fn::GetAtt': ['SchedulingExecutionLogGroup', 'Arn'] }],
      ['METAFLOW_SFN_IAM_ROLE', { 'Fn::GetAtt': ['SchedulingStepFunctionsRole', 'Arn'] }],
      ['METAFLOW_SFN_STATE_MACHINE_PREFIX', 'mf-test'],
    ]);
  });

  it('leaves out the EventBridge role and the log group when they are turned off', async () => {
    const { result } = await compile('scheduling: { eventBridge: false, executionLogs: { enabled: false } }');
    expect(result.configOutputs.map((c) => c.key)).toEqual([
      'METAFLOW_SFN_DYNAMO_DB_TABLE',
      'METAFLOW_SFN_IAM_ROLE',
      'METAFLOW_SFN_STATE_MACHINE_PREFIX',
    ]);
  });
});

describe('manifest mistakes', () => {
  it('names both missing plugins when scheduling is enabled without batch and datastore', async () => {
    const e = await compileError(manifest('scheduling: {}', { plugins: ['metadata', 'scheduling'] }), { plugins });
    expect(e.diagnostics.map((d) => [d.loc?.line, d.loc?.column, d.message, d.hint])).toEqual([
      [
        3,
        21,
        'plugin mfinfra:scheduling needs the "batch" plugin, which is not in plugins',
        'add batch to plugins (and a "batch:" section), or remove scheduling',
      ],
      [
        3,
        21,
        'plugin mfinfra:scheduling needs the "datastore" plugin, which is not in plugins',
        'add datastore to plugins (and a "datastore:" section), or remove scheduling',
      ],
      [
        4,
        1,
        'unknown top-level key "datastore"',
        'this section belongs to the datastore plugin: add "datastore" to plugins, or remove the section',
      ],
    ]);
  });

  it('reports a bad prefix at its line and column', async () => {
    const e = await compileError(manifest('scheduling:\n  stateMachinePrefix: "ml prod"'), { plugins });
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]!.loc).toMatchObject({ line: 6, column: 23 });
    expect(e.diagnostics[0]!.path).toBe('scheduling.stateMachinePrefix');
  });

  it('asks for a prefix when the stack name is too long to be one', async () => {
    const stack = `mf-${'x'.repeat(50)}`;
    const e = await compileError(manifest('scheduling: {}', { stack }), { plugins });
    expect(e.message).toBe('the stack name is 53 characters, too long to prefix state machine names (at most 40)');
    expect(e.loc).toMatchObject({ line: 2, column: 16 });
    await expect(compileManifest(manifest('scheduling: { stateMachinePrefix: mlprod }', { stack }), { plugins })).resolves.toBeDefined();
  });

  it('warns when there is no metadata service', async () => {
    const { result } = await compile('scheduling: {}', { plugins: ['datastore', 'batch', 'scheduling'] });
    expect(result.warnings.map((w) => w.message)).toEqual([
      "Metaflow's Step Functions integration needs the metadata service (METAFLOW_DEFAULT_METADATA=service)",
    ]);
  });
});
