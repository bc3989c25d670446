/**
 * What state a stack is in, and what that means for a deploy: CloudFormation's ~20 statuses folded
 * into the handful of cases mfinfra treats differently.
 */
import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { isStackMissing } from './awsErrors.js';
import { callAws, type PollOptions } from './poll.js';

export type StackCondition =
  /** No stack (or only a deleted one). Deploy with a CREATE change set. */
  | 'none'
  /** A placeholder made by an earlier CREATE change set. Deploy with CREATE. */
  | 'review'
  /** A failed creation: cannot be updated; delete and create again. */
  | 'failed-create'
  /** An update's rollback failed: ContinueUpdateRollback first. */
  | 'rollback-failed'
  /** Another operation is running. */
  | 'busy'
  /** A stack that can take an UPDATE change set (including UPDATE_ROLLBACK_COMPLETE and paused *_FAILED). */
  | 'ready';

/** The case a stack status falls under. */
export function classifyStackStatus(status: string | undefined): StackCondition {
  if (!status || status === 'DELETE_COMPLETE') return 'none';
  if (status === 'REVIEW_IN_PROGRESS') return 'review';
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED') return 'failed-create';
  if (status === 'UPDATE_ROLLBACK_FAILED') return 'rollback-failed';
  if (status.endsWith('_IN_PROGRESS')) return 'busy';
  return 'ready';
}

/** Statuses in which a stack operation has finished well. */
export const SUCCESS_STATUSES = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'DELETE_COMPLETE', 'IMPORT_COMPLETE']);

/** The stack, or undefined when there is none. */
export async function describeStack(cfn: CloudFormationClient, stackName: string, options: PollOptions = {}): Promise<Stack | undefined> {
  try {
    const out = await callAws('describe the stack', (o) => cfn.send(new DescribeStacksCommand({ StackName: stackName }), o), options);
    const stack = out.Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
  } catch (e) {
    if (isStackMissing((e as { cause?: unknown }).cause ?? e)) return undefined;
    throw e;
  }
}

/** Stack Outputs as OutputKey → OutputValue. */
export function outputsOf(stack: Stack | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) out[o.OutputKey] = o.OutputValue ?? '';
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
