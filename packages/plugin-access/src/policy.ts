import { LOG_DELIVERY_ACTIONS, stackArn, sub, wildcardFindings, type CfnValue, type ScannerException } from '@mfinfra/core/plugin';
import type { BatchApi, DatastoreApi, IamStatement, MetadataApi, SchedulingApi } from './peerApis.js';

/** AWS's list, kept in core (also used by the other plugin that grants Step Functions logging). */
export { LOG_DELIVERY_ACTIONS };

/** What the user policy is built from: the APIs of the plugins that are loaded. */
export interface PolicyInputs {
  stackName: string;
  datastore: DatastoreApi;
  batch: BatchApi;
  scheduling?: SchedulingApi;
  /** The scheduling section turns on execution history logs (`--log-execution-history`). */
  executionLogs: boolean;
  metadata?: MetadataApi;
  readStackOutputs: boolean;
}

/** Batch's log group: Metaflow reads a job's output from it (`logs:GetLogEvents`). */
export const BATCH_LOG_GROUP = '/aws/batch/job';

/**
 * The statements of the user policy, in a stable order. Each one names where in Metaflow's AWS
 * client code its actions come from (see the README's table).
 */
export function userPolicyStatements(p: PolicyInputs): IamStatement[] {
  const jobDefinitions = stackArn('batch', 'job-definition/metaflow_*');
  const statements: IamStatement[] = [
    // metaflow/plugins/datatools/s3 and the S3 datastore: read and write flow data.
    ...p.datastore.readWriteStatements(),
    {
      // batch_client.py: describe_job_queues / describe_compute_environments (platform of the queue),
      // describe_job_definitions (reuse a registered definition), describe_jobs (follow a job), list_jobs.
      Sid: 'DescribeBatch',
      Effect: 'Allow',
      Action: [
        'batch:DescribeComputeEnvironments',
        'batch:DescribeJobDefinitions',
        'batch:DescribeJobQueues',
        'batch:DescribeJobs',
        'batch:ListJobs',
      ],
      // These Batch actions have no resource-level permissions (AWS requires "*").
      Resource: '*',
    },
    {
      // batch_client.py: register_job_definition (named metaflow_<hash>).
      Sid: 'RegisterMetaflowJobDefinitions',
      Effect: 'Allow',
      Action: 'batch:RegisterJobDefinition',
      Resource: jobDefinitions,
    },
    {
      // batch_client.py: submit_job, only to this deployment's queues with Metaflow's job definitions.
      Sid: 'SubmitToDeploymentQueues',
      Effect: 'Allow',
      Action: 'batch:SubmitJob',
      Resource: [...p.batch.jobQueueArns, jobDefinitions],
    },
    {
      // batch_client.py: terminate_job (Ctrl-C, `batch kill`), tag_resource (METAFLOW_BATCH_EMIT_TAGS).
      // Batch job ARNs carry only the job id, so jobs cannot be told apart by queue here.
      Sid: 'TerminateAndTagJobs',
      Effect: 'Allow',
      Action: ['batch:TagResource', 'batch:TerminateJob'],
      Resource: stackArn('batch', 'job/*'),
    },
    {
      // batch.py: the job definition names the job role (and the Fargate execution role).
      Sid: 'PassBatchJobRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: [p.batch.jobRoleArn, ...(p.batch.fargateExecutionRoleArn !== undefined ? [p.batch.fargateExecutionRoleArn] : [])],
      Condition: { StringEquals: { 'iam:PassedToService': ['batch.amazonaws.com', 'ecs-tasks.amazonaws.com'] } },
    },
    {
      // batch_client.py (BatchLogs): get_log_events to show a job's output.
      Sid: 'ReadBatchJobLogs',
      Effect: 'Allow',
      Action: 'logs:GetLogEvents',
      Resource: stackArn('logs', `log-group:${BATCH_LOG_GROUP}:log-stream:*`),
    },
  ];
  const s = p.scheduling;
  if (s !== undefined) {
    const machines = stackArn('states', `stateMachine:${s.stateMachinePrefix}*`);
    statements.push(
      {
        // step_functions_client.py search(): list_state_machines finds a flow's state machine by name.
        Sid: 'ListStateMachines',
        Effect: 'Allow',
        Action: 'states:ListStateMachines',
        // ListStateMachines has no resource-level permissions (AWS requires "*").
        Resource: '*',
      },
      {
        // step_functions_client.py: create/update/describe/delete_state_machine, start_execution (trigger), list_executions.
        Sid: 'ManageDeploymentStateMachines',
        Effect: 'Allow',
        Action: [
          'states:CreateStateMachine',
          'states:DeleteStateMachine',
          'states:DescribeStateMachine',
          'states:ListExecutions',
          'states:StartExecution',
          'states:TagResource',
          'states:UpdateStateMachine',
        ],
        Resource: machines,
      },
      {
        // step_functions_client.py: describe_execution, stop_execution (`step-functions terminate`).
        Sid: 'ManageDeploymentExecutions',
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: stackArn('states', `execution:${s.stateMachinePrefix}*:*`),
      },
      {
        // step_functions.py: create_state_machine(roleArn=METAFLOW_SFN_IAM_ROLE).
        Sid: 'PassStepFunctionsRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: s.stepFunctionsRoleArn,
        Condition: { StringEquals: { 'iam:PassedToService': 'states.amazonaws.com' } },
      },
    );
    if (s.eventBridgeRoleArn !== undefined) {
      statements.push(
        {
          // event_bridge_client.py: put_rule/put_targets (@schedule), disable_rule, remove_targets/delete_rule
          // (`step-functions delete`); rules are named after the state machine.
          Sid: 'ManageDeploymentSchedules',
          Effect: 'Allow',
          Action: [
            'events:DeleteRule',
            'events:DescribeRule',
            'events:DisableRule',
            'events:PutRule',
            'events:PutTargets',
            'events:RemoveTargets',
          ],
          Resource: stackArn('events', `rule/${s.stateMachinePrefix}*`),
        },
        {
          // event_bridge_client.py: put_targets(RoleArn=METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE).
          Sid: 'PassEventBridgeRole',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: s.eventBridgeRoleArn,
          Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
        },
      );
    }
    if (p.executionLogs) {
      statements.push({
        // step_functions_client.py: create_state_machine(loggingConfiguration=...) with --log-execution-history;
        // Step Functions checks these on the caller. They have no resource-level permissions (AWS requires "*").
        Sid: 'DeliverExecutionLogs',
        Effect: 'Allow',
        Action: LOG_DELIVERY_ACTIONS,
        Resource: '*',
      });
    }
  }
  if (p.metadata?.apiKeyId !== undefined) {
    statements.push({
      // The API key value becomes METAFLOW_SERVICE_AUTH_KEY (`mfinfra outputs` reads it with apigateway get-api-key).
      Sid: 'ReadMetadataApiKey',
      Effect: 'Allow',
      Action: 'apigateway:GET',
      Resource: sub('arn:${AWS::Partition}:apigateway:${AWS::Region}::/apikeys/${Key}', { Key: p.metadata.apiKeyId }),
    });
  }
  if (p.readStackOutputs) {
    statements.push({
      // `mfinfra outputs`: the config values are this stack's Outputs.
      Sid: 'ReadDeploymentOutputs',
      Effect: 'Allow',
      Action: 'cloudformation:DescribeStacks',
      Resource: stackArn('cloudformation', `stack/${p.stackName}/*`),
    });
  }
  return statements;
}

/** The role's trust policy: the listed principals (and permission sets' roles), optionally with MFA. */
export function trustPolicy(role: { trustedPrincipals: string[]; ssoPermissionSets: string[]; requireMfa: boolean }): CfnValue {
  const mfa = role.requireMfa ? { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } : undefined;
  const principal = (p: string) => (/^[0-9]{12}$/.test(p) ? sub(`arn:\${AWS::Partition}:iam::${p}:root`) : p);
  const statements: CfnValue[] = [];
  if (role.trustedPrincipals.length > 0) {
    statements.push({
      Sid: 'TrustedPrincipals',
      Effect: 'Allow',
      Principal: { AWS: role.trustedPrincipals.map(principal) },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      ...(mfa ? { Condition: mfa } : {}),
    });
  }
  if (role.ssoPermissionSets.length > 0) {
    statements.push({
      Sid: 'IdentityCenterPermissionSets',
      Effect: 'Allow',
      Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        ArnLike: {
          'aws:PrincipalArn': role.ssoPermissionSets.map((name) =>
            sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${name}_*`),
          ),
        },
        ...(mfa ?? {}),
      },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Why each wildcard of the user policy is the narrowest AWS allows, by statement Sid. */
const WILDCARD_REASONS: Readonly<Record<string, string>> = {
  MetaflowDatastoreReadWriteObjects:
    'objects of the datastore bucket only: Metaflow writes content-addressed artifacts under keys it derives at run time (<bucket ARN>/*).',
  RegisterMetaflowJobDefinitions:
    'Metaflow registers job definitions named metaflow_<hash of the step> at run time (job-definition/metaflow_*).',
  SubmitToDeploymentQueues:
    "jobs go only to this deployment's queues, with Metaflow's run-time job definitions (job-definition/metaflow_*).",
  TerminateAndTagJobs: 'Batch job ARNs carry only the job id, which exists once a run submits the job (job/*).',
  ReadBatchJobLogs: "a job's log stream is named when the job starts, inside Batch's log group (log-group:/aws/batch/job:log-stream:*).",
  ManageDeploymentStateMachines:
    "`step-functions create` makes one state machine per flow at deploy time, under this deployment's prefix (stateMachine:<prefix>*).",
  ManageDeploymentExecutions: "executions of this deployment's state machines only; their names exist at run time (execution:<prefix>*:*).",
  ManageDeploymentSchedules: "@schedule rules are named after this deployment's state machines when a flow is deployed (rule/<prefix>*).",
  ReadDeploymentOutputs:
    'this one stack; the last part of a stack ARN is a UUID CloudFormation assigns when it creates the stack (stack/<name>/*).',
};

/**
 * The user policy's cdk-nag exceptions: one per wildcard (AwsSolutions-IAM5 with `appliesTo`), each
 * with the reason of the statements it comes from. A wildcard in a statement with no reason here is
 * left unexplained, so the rule pack reports it.
 */
export function userPolicyExceptions(statements: IamStatement[]): ScannerException[] {
  const reasons = new Map<string, string[]>();
  const add = (finding: string, reason: string) => {
    const list = reasons.get(finding) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(finding, list);
  };
  const anyResource = statements.filter((st) => st.Effect === 'Allow' && st.Resource === '*').flatMap((st) => [st.Action].flat());
  for (const st of statements) {
    for (const finding of wildcardFindings([st])) {
      if (finding === 'Resource::*') continue;
      const reason = st.Sid === undefined ? undefined : WILDCARD_REASONS[st.Sid];
      if (reason !== undefined) add(finding, reason);
    }
  }
  const out: ScannerException[] = [...reasons.entries()].map(([finding, list]) => ({
    id: 'AwsSolutions-IAM5',
    reason: `The narrowest resource AWS allows: ${list.join(' ')}`,
    appliesTo: [finding],
  }));
  if (anyResource.length > 0) {
    out.push({
      id: 'AwsSolutions-IAM5',
      reason: `These actions have no resource-level permissions, so AWS requires Resource "*": ${[...new Set(anyResource)].sort().join(', ')}. All are read-only lookups except the CloudWatch Logs delivery actions Step Functions checks on whoever creates a logging state machine.`,
      appliesTo: ['Resource::*'],
    });
  }
  return out.sort((a, b) => a.appliesTo![0]!.localeCompare(b.appliesTo![0]!));
}
