/**
 * `batch.existing`: reuse a job queue and the job role Metaflow passes to its jobs (and optionally
 * the Fargate execution role). No compute environment, queue or role is created. Offline the
 * names and ARNs are checked for shape; at plan/apply `verify` checks them against AWS.
 */
import {
  keysRefusedWithExisting,
  parseArn,
  reportMixedAccounts,
  reportRole,
  roleNameFromArn,
  roleArnSchema,
  roleOrUndefined,
  stackArn,
  type CfnValue,
  type ConfigOutputValue,
  type JsonSchema,
  type LiveContext,
  type PluginContext,
} from '@mfinfra/core/plugin';

export interface ExistingBatch {
  /** Job queue name or ARN (METAFLOW_BATCH_JOB_QUEUE). */
  jobQueue: string;
  /** ARN of the role Batch jobs assume (METAFLOW_ECS_S3_ACCESS_IAM_ROLE). */
  jobRole: string;
  /** ARN of the Fargate execution role (METAFLOW_ECS_FARGATE_EXECUTION_ROLE), for Fargate queues. */
  fargateExecutionRole?: string;
}

const QUEUE_NAME = '[A-Za-z0-9][A-Za-z0-9_-]{0,127}';
export const JOB_QUEUE_PATTERN = `^(${QUEUE_NAME}|arn:aws[a-z-]*:batch:[a-z0-9-]+:[0-9]{12}:job-queue/${QUEUE_NAME})$`;

/** The service a role of each kind must trust. */
const ECS_TASKS = 'ecs-tasks.amazonaws.com';

export const existingSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['jobQueue', 'jobRole'],
  description:
    'Reuse a job queue and the roles Metaflow passes to its jobs; nothing is created (no compute environment, queue or role). Checked against AWS at plan and apply.',
  properties: {
    jobQueue: {
      type: 'string',
      maxLength: 2048,
      pattern: JOB_QUEUE_PATTERN,
      description:
        'METAFLOW_BATCH_JOB_QUEUE: the job queue name (metaflow-queue) or ARN (arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-queue). Must be VALID and ENABLED.',
    },
    jobRole: roleArnSchema(
      'METAFLOW_ECS_S3_ACCESS_IAM_ROLE: ARN of the role Batch jobs assume (arn:aws:iam::123456789012:role/metaflow-batch-role); it must trust ecs-tasks.amazonaws.com.',
    ),
    fargateExecutionRole: roleArnSchema(
      'METAFLOW_ECS_FARGATE_EXECUTION_ROLE: ARN of the execution role of Fargate jobs (needed when the queue is Fargate); it must trust ecs-tasks.amazonaws.com.',
    ),
  },
};

/** With `existing`, the keys that would create something are refused at their position. */
const CREATING_KEYS = ['computeEnvironments', 'jobQueues', 'jobRole'] as const;
export const existingExcludes: JsonSchema = keysRefusedWithExisting(
  CREATING_KEYS,
  (k) => `batch.existing reuses a job queue and creates no compute: remove ${k}, or remove existing to let mfinfra create the queue`,
);

/** The queue's ARN as a CloudFormation value: the given ARN, or one built from a name in this stack's region and account. */
export function queueArn(queue: string): CfnValue {
  return queue.startsWith('arn:') ? queue : stackArn('batch', `job-queue/${queue}`);
}

/** Offline checks: the ARNs' regions and accounts fit the stack and each other. */
export function checkExisting(ctx: PluginContext, existing: ExistingBatch): void {
  const region = ctx.stack.region;
  const queue = existing.jobQueue.startsWith('arn:') ? parseArn(existing.jobQueue) : undefined;
  if (queue && region && queue.region !== region) {
    ctx.report(`job queue ${existing.jobQueue} is in ${queue.region}, but the stack deploys to ${region}`, {
      path: ['existing', 'jobQueue'],
      code: 'BATCH_EXISTING_OTHER_REGION',
      hint: `Batch jobs run in the stack's region: give a queue in ${region}, or change stack.region`,
    });
  }
  const accounts: [string, string][] = queue ? [['jobQueue', queue.account]] : [];
  for (const key of ['jobRole', 'fargateExecutionRole'] as const) {
    const arn = existing[key];
    if (arn) accounts.push([key, parseArn(arn)?.account ?? '']);
  }
  reportMixedAccounts(ctx, accounts, {
    section: 'batch',
    code: 'BATCH_EXISTING_OTHER_ACCOUNT',
    hint: 'Batch passes only roles of its own account to jobs: give the queue and roles of one account',
  });
}

export function existingOutputs(existing: ExistingBatch): Record<string, ConfigOutputValue> {
  const out: Record<string, ConfigOutputValue> = {
    METAFLOW_BATCH_JOB_QUEUE: { value: existing.jobQueue, description: 'the existing job queue' },
    METAFLOW_ECS_S3_ACCESS_IAM_ROLE: { value: existing.jobRole, description: 'the existing role Batch jobs assume' },
  };
  if (existing.fargateExecutionRole) {
    out.METAFLOW_ECS_FARGATE_EXECUTION_ROLE = {
      value: existing.fargateExecutionRole,
      description: 'the existing execution role of Fargate jobs',
    };
  }
  return out;
}

/**
 * At plan/apply: the queue exists, is VALID and ENABLED (and in this region); each role exists with
 * the ARN given and trusts ecs-tasks.amazonaws.com. Each problem at its manifest position.
 */
export async function verifyExisting(ctx: LiveContext, existing: ExistingBatch): Promise<void> {
  const { BatchClient, DescribeJobQueuesCommand } = await import('@aws-sdk/client-batch');
  const { GetRoleCommand, IAMClient } = await import('@aws-sdk/client-iam');
  const signal = ctx.signal ? { abortSignal: ctx.signal } : {};

  const queuePath = ['existing', 'jobQueue'];
  const arn = existing.jobQueue.startsWith('arn:') ? parseArn(existing.jobQueue) : undefined;
  if (arn && arn.region !== ctx.aws.region) {
    ctx.report(`job queue ${existing.jobQueue} is in ${arn.region}, but this deploy goes to ${ctx.aws.region}`, {
      path: queuePath,
      code: 'BATCH_EXISTING_OTHER_REGION',
      hint: `give a queue in ${ctx.aws.region}, or deploy to ${arn.region} (--region)`,
    });
  } else {
    const batch = ctx.aws.client(BatchClient);
    const { jobQueues = [] } = await batch.send(new DescribeJobQueuesCommand({ jobQueues: [existing.jobQueue] }), signal);
    const q = jobQueues[0];
    if (!q) {
      ctx.report(`job queue ${existing.jobQueue} does not exist in ${ctx.aws.region}`, {
        path: queuePath,
        code: 'BATCH_QUEUE_NOT_FOUND',
        hint: 'check the name or ARN (aws batch describe-job-queues), the region, and the account of the credentials in use',
      });
    } else if (q.status !== 'VALID' || q.state !== 'ENABLED') {
      ctx.report(
        `job queue ${q.jobQueueName ?? existing.jobQueue} is ${q.state ?? 'in no state'} and ${q.status ?? 'of no status'}${q.statusReason ? ` (${q.statusReason})` : ''}; Metaflow needs it ENABLED and VALID`,
        {
          path: queuePath,
          code: 'BATCH_QUEUE_NOT_USABLE',
          hint:
            q.state !== 'ENABLED'
              ? `enable it (aws batch update-job-queue --job-queue ${q.jobQueueName ?? existing.jobQueue} --state ENABLED)`
              : 'fix its compute environments until the queue is VALID (aws batch describe-job-queues shows why)',
        },
      );
    }
  }

  const iam = ctx.aws.client(IAMClient);
  for (const key of ['jobRole', 'fargateExecutionRole'] as const) {
    const roleArn = existing[key];
    if (!roleArn) continue;
    const found = await roleOrUndefined(() => iam.send(new GetRoleCommand({ RoleName: roleNameFromArn(roleArn) }), signal));
    reportRole(
      ctx,
      {
        arn: roleArn,
        path: ['existing', key],
        service: ECS_TASKS,
        notFoundCode: 'BATCH_ROLE_NOT_FOUND',
        wrongTrustCode: 'BATCH_ROLE_WRONG_TRUST',
        trustHint: `Batch jobs run as ECS tasks: the role's trust policy must allow ${ECS_TASKS} to sts:AssumeRole`,
      },
      found,
    );
  }
}
