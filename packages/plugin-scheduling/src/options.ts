import { LOG_RETENTION_DAYS, type DeepPartial, type JsonSchema } from '@mfinfra/core/plugin';
import { existingExcludes, existingSchema, type ExistingScheduling } from './existing.js';

/** The `scheduling:` section after defaults. */
export interface SchedulingOptions {
  /** Reuse existing roles and table instead of creating them (see existing.ts). */
  existing?: ExistingScheduling;
  /** Leave out to use the stack name. */
  stateMachinePrefix?: string;
  eventBridge: boolean;
  dynamoDb: { pointInTimeRecovery: boolean; kmsKeyArn?: string };
  executionLogs: { enabled: boolean; retentionDays: number; retainOnDelete: boolean };
}

/** Metaflow names state machines `<prefix>_<flow>` and refuses names over 80 characters. */
export const MAX_PREFIX_LENGTH = 40;

export const defaults: DeepPartial<SchedulingOptions> = {
  eventBridge: true,
  dynamoDb: { pointInTimeRecovery: true },
  executionLogs: { enabled: true, retentionDays: 30, retainOnDelete: true },
};

export const schema: JsonSchema = {
  type: 'object',
  description:
    'Metaflow on AWS Step Functions: the Step Functions and EventBridge roles, the DynamoDB table for foreach state, and an execution log group. Needs the batch and datastore plugins.',
  additionalProperties: false,
  dependencies: existingExcludes,
  properties: {
    existing: existingSchema,
    stateMachinePrefix: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
      minLength: 1,
      maxLength: MAX_PREFIX_LENGTH,
      description:
        'METAFLOW_SFN_STATE_MACHINE_PREFIX: Metaflow names state machines <prefix>_<flow>, and the roles may start and manage only state machines with this prefix (default: the stack name).',
    },
    eventBridge: {
      type: 'boolean',
      description: "Create the EventBridge role that lets @schedule start this deployment's state machines (default true).",
    },
    dynamoDb: {
      type: 'object',
      additionalProperties: false,
      description:
        'The DynamoDB table Metaflow uses for foreach state (key pathspec, TTL on ttl, on-demand capacity, kept when the stack is deleted).',
      properties: {
        pointInTimeRecovery: { type: 'boolean', description: 'Point-in-time recovery (default true).' },
        kmsKeyArn: {
          type: 'string',
          pattern: '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$',
          description: 'Customer managed KMS key for the table (default: the AWS managed aws/dynamodb key).',
        },
      },
    },
    executionLogs: {
      type: 'object',
      additionalProperties: false,
      description:
        'A log group for state machine execution history (METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN, used by step-functions create --log-execution-history).',
      properties: {
        enabled: { type: 'boolean', description: 'Create the log group and allow log delivery to it (default true).' },
        retentionDays: { enum: LOG_RETENTION_DAYS, description: 'Days to keep execution history (default 30).' },
        retainOnDelete: { type: 'boolean', description: 'Keep the log group when the stack is deleted (default true).' },
      },
    },
  },
};
