import {
  LOG_DELIVERY_ACTIONS,
  stackArn,
  getAtt,
  logGroup,
  nagValue,
  ref,
  scannerExceptions,
  serviceTrustPolicy,
  sub,
  wildcardException,
  type CfnResource,
  type CfnValue,
  type PluginContext,
} from '@mfinfra/core/plugin';
import { BATCH_EVENTS_RULE, ID, JOB_DEFINITION_PREFIX } from './ids.js';
import type { SchedulingOptions } from './options.js';
import type { BatchApi, DatastoreApi, IamStatement } from './peerApis.js';

/** AWS's list, kept in core (also used by the other plugin that grants Step Functions logging). */
export { LOG_DELIVERY_ACTIONS };

/** DynamoDB access to the state table (and its key, when it has a customer managed one). */
function tableStatements(
  options: SchedulingOptions,
  sid: string,
  actions: string[],
  table: CfnValue = getAtt(ID.stateTable, 'Arn'),
): IamStatement[] {
  const statements: IamStatement[] = [{ Sid: sid, Effect: 'Allow', Action: actions, Resource: table }];
  if (!options.existing && options.dynamoDb.kmsKeyArn) {
    statements.push({
      Sid: `${sid}Key`,
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: options.dynamoDb.kmsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': sub('dynamodb.${AWS::Region}.${AWS::URLSuffix}') } },
    });
  }
  return statements;
}

/** Everything Metaflow's state machines do, and nothing more. */
export function stepFunctionsStatements(
  options: SchedulingOptions,
  prefix: string,
  batch: BatchApi,
  datastore: DatastoreApi,
): IamStatement[] {
  const statements: IamStatement[] = [
    {
      Sid: 'SubmitMetaflowBatchJobs',
      Effect: 'Allow',
      Action: 'batch:SubmitJob',
      Resource: [...batch.jobQueueArns, stackArn('batch', `job-definition/${JOB_DEFINITION_PREFIX}*`)],
    },
    { Sid: 'ManageBatchJobs', Effect: 'Allow', Action: ['batch:TagResource', 'batch:TerminateJob'], Resource: stackArn('batch', 'job/*') },
    // DescribeJobs has no resource-level permissions (AWS requires "*").
    { Sid: 'DescribeBatchJobs', Effect: 'Allow', Action: 'batch:DescribeJobs', Resource: '*' },
    {
      Sid: 'BatchJobEventsRule',
      Effect: 'Allow',
      Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
      Resource: stackArn('events', `rule/${BATCH_EVENTS_RULE}`),
    },
    ...tableStatements(options, 'ForeachStateTable', [
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]),
    // Distributed map: child executions of this deployment's state machines, reading and writing the datastore.
    {
      Sid: 'StartChildExecutions',
      Effect: 'Allow',
      Action: 'states:StartExecution',
      Resource: stackArn('states', `stateMachine:${prefix}*`),
    },
    {
      Sid: 'ManageChildExecutions',
      Effect: 'Allow',
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Resource: stackArn('states', `execution:${prefix}*:*`),
    },
    ...datastore.readWriteStatements(),
  ];
  if (options.executionLogs.enabled) {
    statements.push({ Sid: 'DeliverExecutionLogs', Effect: 'Allow', Action: LOG_DELIVERY_ACTIONS, Resource: '*' });
  }
  return statements;
}

const WILDCARD_REASON =
  'Each wildcard is the narrowest AWS allows: state machines, executions and job definitions are named at deploy time under this deployment\'s prefixes (<prefix>*, metaflow_*), Batch job ids exist only at run time (job/*), batch:DescribeJobs and the CloudWatch Logs delivery actions have no resource-level permissions (Resource "*"), and the datastore grant covers that one bucket\'s objects.';

const policy = (name: string, statements: IamStatement[]) => ({
  PolicyName: name,
  PolicyDocument: { Version: '2012-10-17', Statement: statements as unknown as CfnValue[] },
});

export function schedulingResources(
  ctx: PluginContext,
  options: SchedulingOptions,
  prefix: string,
  batch: BatchApi,
  datastore: DatastoreApi,
): Record<string, CfnResource> {
  const kms = options.dynamoDb.kmsKeyArn;
  const resources: Record<string, CfnResource> = {
    [ID.stateTable]: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pathspec', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pathspec', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: options.dynamoDb.pointInTimeRecovery },
        SSESpecification: kms ? { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: kms } : { SSEEnabled: true },
      },
    },
    [ID.stepFunctionsRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: wildcardException(stepFunctionsStatements(options, prefix, batch, datastore), WILDCARD_REASON),
      Properties: {
        Description: `Runs Metaflow state machines named ${prefix}* (stack ${ctx.stack.name})`,
        AssumeRolePolicyDocument: serviceTrustPolicy('states.amazonaws.com'),
        Policies: [policy('metaflow-step-functions', stepFunctionsStatements(options, prefix, batch, datastore))],
      },
    },
  };
  if (batch.jobRoleName !== undefined) resources[ID.jobRoleTablePolicy] = jobRoleTablePolicy(options, batch.jobRoleName);
  if (options.eventBridge) {
    resources[ID.eventBridgeRole] = {
      Type: 'AWS::IAM::Role',
      Metadata: scannerExceptions({
        id: 'AwsSolutions-IAM5',
        reason:
          "Metaflow creates a state machine per flow at deploy time (step-functions create) under this deployment's prefix; the grant is StartExecution on those names only.",
        appliesTo: [`Resource::${nagValue(stackArn('states', `stateMachine:${prefix}*`))}`],
      }),
      Properties: {
        Description: `Lets EventBridge schedules start Metaflow state machines named ${prefix}* (stack ${ctx.stack.name})`,
        AssumeRolePolicyDocument: serviceTrustPolicy('events.amazonaws.com'),
        Policies: [
          policy('metaflow-start-state-machines', [
            {
              Sid: 'StartMetaflowStateMachines',
              Effect: 'Allow',
              Action: 'states:StartExecution',
              Resource: stackArn('states', `stateMachine:${prefix}*`),
            },
          ]),
        ],
      },
    };
  }
  if (options.executionLogs.enabled) {
    resources[ID.executionLogGroup] = logGroup({
      // Under /aws/vendedlogs/ one log resource policy covers every group; the stack id's last
      // segment keeps a retained group from blocking a re-created stack.
      name: sub('/aws/vendedlogs/states/${Prefix}-${Suffix}', {
        Prefix: prefix,
        Suffix: { 'Fn::Select': [4, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', ref('AWS::StackId')] }] }] }] },
      }),
      retentionDays: options.executionLogs.retentionDays,
      retain: options.executionLogs.retainOnDelete,
    });
  }
  return resources;
}

/**
 * Batch jobs of a foreach read and write the state table: a policy on the job role, when that role
 * is this stack's (an existing job role is not changed). `table` is the created table by default.
 */
export function jobRoleTablePolicy(options: SchedulingOptions, jobRoleName: CfnValue, table?: CfnValue): CfnResource {
  return {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyName: 'metaflow-foreach-state',
      Roles: [jobRoleName],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: tableStatements(
          options,
          'ForeachStateTable',
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          table,
        ) as unknown as CfnValue[],
      },
    },
  };
}
