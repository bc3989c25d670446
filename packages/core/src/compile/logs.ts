/**
 * CloudWatch Logs pieces several plugins need (exported from `@mfinfra/core/plugin`): a log group
 * that is kept or deleted with the stack, the statement that lets a role write to it, and the
 * retention periods CloudWatch Logs accepts (for schemas).
 */
import type { CfnResource, CfnValue } from './cfnTypes.js';

/** The `RetentionInDays` values CloudWatch Logs accepts, for a schema's `enum`. */
export const LOG_RETENTION_DAYS: readonly number[] = Object.freeze([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

export interface LogGroupOptions {
  /** Days CloudWatch Logs keeps the events (one of {@link LOG_RETENTION_DAYS}). */
  retentionDays: number;
  /** Keep the group (and its events) when the stack is deleted or the group replaced: `Retain`; otherwise `Delete`. */
  retain: boolean;
  /** `LogGroupName`, when the name is fixed (e.g. `/aws/lambda/<function>`); CloudFormation names it otherwise. */
  name?: CfnValue;
  /** The resource's `Metadata` (e.g. `scannerExceptions(...)`). */
  metadata?: { [key: string]: CfnValue };
}

/** An `AWS::Logs::LogGroup` kept (`Retain`) or deleted with the stack, with its retention. */
export function logGroup(options: LogGroupOptions): CfnResource {
  const policy = options.retain ? 'Retain' : 'Delete';
  return {
    Type: 'AWS::Logs::LogGroup',
    DeletionPolicy: policy,
    UpdateReplacePolicy: policy,
    ...(options.metadata ? { Metadata: options.metadata } : {}),
    Properties: {
      ...(options.name !== undefined ? { LogGroupName: options.name } : {}),
      RetentionInDays: options.retentionDays,
    },
  };
}

/** The statement that lets a role write log events to one log group of the stack (its streams created as it goes). */
export function writeLogsStatement(sid: string, logGroupLogicalId: string): CfnValue {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: { 'Fn::GetAtt': [logGroupLogicalId, 'Arn'] },
  };
}
