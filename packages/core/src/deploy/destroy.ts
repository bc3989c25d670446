/**
 * `destroy`: say what deleting the stack removes and what it keeps (DeletionPolicy Retain / Snapshot
 * in the deployed template, or CloudFormation's defaults), refuse while termination protection is
 * on, delete, follow the events to DELETE_COMPLETE.
 */
import { DeleteStackCommand, ListStackResourcesCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { ErrorCode, fail, MfinfraError } from '../errors.js';
import { StackEventWatcher } from './events.js';
import { getDeployedTemplate } from './plan.js';
import { abortedError, callAws, pollUntil, STACK_POLL, pollOptionsOf } from './poll.js';
import { classifyStackStatus, describeStack } from './stackState.js';
import type { DeployContext } from './context.js';
import type { DeletionOutcome, DestroyPlan, DestroyResource } from './types.js';
import { followStack, watchHint } from './waitForStack.js';
import { reportStep } from './report.js';

export type { DeletionOutcome, DestroyPlan, DestroyResource } from './types.js';

export interface DestroyResult {
  stackName: string;
  stackId?: string;
  status: 'deleted' | 'no-stack';
  finalStatus?: string;
  retained: DestroyResource[];
  events: number;
  /** The local applied-state file that was removed (the stack is gone). */
  stateRemoved?: string;
}

/** CloudFormation's default DeletionPolicy: Snapshot for RDS clusters and for instances outside a cluster, else Delete. */
export function defaultDeletionPolicy(resourceType: string, properties: Record<string, unknown> | undefined): string {
  if (resourceType === 'AWS::RDS::DBCluster') return 'Snapshot';
  if (resourceType === 'AWS::RDS::DBInstance' && !(properties && 'DBClusterIdentifier' in properties)) return 'Snapshot';
  return 'Delete';
}

export function outcomeOf(policy: string): DeletionOutcome {
  if (policy === 'Retain' || policy === 'RetainExceptOnCreate') return 'retain';
  if (policy === 'Snapshot') return 'snapshot';
  return 'delete';
}

/** Read the stack, its deployed template and resources. */
export async function planDestroy(stackName: string, ctx: DeployContext): Promise<DestroyPlan> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const stack = await describeStack(cfn, stackName, poll);
  if (!stack) return { stackName, terminationProtection: false, resources: [], retained: [] };
  const template = (await getDeployedTemplate(cfn, stack.StackId ?? stackName, poll)) as
    { Resources?: Record<string, { Type?: string; DeletionPolicy?: unknown; Properties?: Record<string, unknown> }> } | undefined;
  const summaries: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const out = await callAws(
      'list the stack resources',
      (o) => cfn.send(new ListStackResourcesCommand({ StackName: stack.StackId ?? stackName, NextToken: token }), o),
      poll,
    );
    summaries.push(...(out.StackResourceSummaries ?? []));
    token = out.NextToken;
  } while (token);
  const byId = new Map(summaries.map((s) => [s.LogicalResourceId!, s]));
  const ids = new Set([...Object.keys(template?.Resources ?? {}), ...byId.keys()]);
  const resources: DestroyResource[] = [...ids].sort().flatMap((logicalId) => {
    const def = template?.Resources?.[logicalId];
    const summary = byId.get(logicalId);
    if (summary?.ResourceStatus === 'DELETE_COMPLETE') return [];
    const resourceType = def?.Type ?? summary?.ResourceType ?? 'unknown';
    const policy = typeof def?.DeletionPolicy === 'string' ? def.DeletionPolicy : defaultDeletionPolicy(resourceType, def?.Properties);
    return [
      {
        logicalId,
        resourceType,
        ...(summary?.PhysicalResourceId ? { physicalId: summary.PhysicalResourceId } : {}),
        deletionPolicy: policy,
        outcome: outcomeOf(policy),
      },
    ];
  });
  return {
    stackName,
    stackId: stack.StackId,
    status: stack.StackStatus,
    terminationProtection: stack.EnableTerminationProtection === true,
    resources,
    retained: resources.filter((r) => r.outcome !== 'delete'),
  };
}

/** Refuse the deletion CloudFormation would refuse, with what to do instead. */
export function assertDeletable(plan: DestroyPlan, options: { waitForBusy?: boolean } = {}): void {
  if (plan.terminationProtection) {
    throw fail.TERMINATION_PROTECTION(`stack ${plan.stackName} cannot be deleted while TerminationProtection is enabled`, {
      hint:
        `turn it off first: set stack.terminationProtection: false in the manifest and run \`mfinfra apply\`, or run ` +
        `aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${plan.stackName}`,
    });
  }
  if (classifyStackStatus(plan.status) === 'busy' && !options.waitForBusy) {
    throw fail.STACK_BUSY(`stack ${plan.stackName} is busy: ${plan.status} (another operation is running)`, {
      hint: `wait for it to finish (aws cloudformation describe-stack-events --stack-name ${plan.stackName}), or pass --wait-for-busy`,
    });
  }
}

/** Delete the stack (after the caller showed the plan and got consent) and follow it to the end. */
export async function executeDestroy(
  plan: DestroyPlan,
  ctx: DeployContext,
  options: { waitForBusy?: boolean } = {},
): Promise<DestroyResult> {
  if (!plan.stackId) return { stackName: plan.stackName, status: 'no-stack', retained: [], events: 0 };
  assertDeletable(plan, options);
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const stackId = plan.stackId;
  if (classifyStackStatus(plan.status) === 'busy') {
    reportStep(ctx, {
      step: 'wait-busy',
      message: `stack ${plan.stackName} is ${plan.status}; waiting for the running operation to finish`,
    });
    try {
      await pollUntil(
        `wait for stack ${plan.stackName}`,
        ctx.timing?.stack ?? STACK_POLL,
        async () => {
          const s = await describeStack(cfn, stackId, poll);
          return classifyStackStatus(s?.StackStatus) === 'busy' ? undefined : true;
        },
        poll,
      );
    } catch (e) {
      if (MfinfraError.is(e) && e.code === ErrorCode.ABORTED)
        throw abortedError(`stopped waiting for stack ${plan.stackName}`, watchHint(plan.stackName));
      throw e;
    }
  }
  const watcher = new StackEventWatcher(cfn, stackId, undefined, plan.resources.length, poll);
  await watcher.prime();
  reportStep(ctx, { step: 'delete', message: `deleting stack ${plan.stackName}` });
  try {
    await callAws(
      'delete the stack',
      (o) => cfn.send(new DeleteStackCommand({ StackName: stackId, ClientRequestToken: `mfinfra-delete-${Date.now()}` }), o),
      {
        ...poll,
        idempotent: false,
      },
    );
  } catch (e) {
    const message = ((e as { cause?: Error }).cause ?? (e as Error)).message ?? '';
    if (/TerminationProtection is enabled/.test(message)) assertDeletable({ ...plan, terminationProtection: true });
    throw e;
  }
  const { stack: final, events } = await followStack(ctx, plan.stackName, stackId, watcher);
  if (final.StackStatus !== 'DELETE_COMPLETE') {
    const failed = watcher.failures.filter((f) => !f.isStack);
    throw fail.DEPLOY_FAILED(
      `the deletion of ${plan.stackName} ended in ${final.StackStatus}${failed.length ? `: ${failed.map((f) => `${f.logicalId}: ${f.reason ?? f.status}`).join('; ')}` : ''}`,
      {
        hint: `fix what blocks those resources (e.g. a non-empty bucket, a resource used outside the stack) and run destroy again; or keep them: aws cloudformation delete-stack --stack-name ${plan.stackName} --retain-resources LogicalId`,
      },
    );
  }
  return { stackName: plan.stackName, stackId, status: 'deleted', finalStatus: final.StackStatus, retained: plan.retained, events };
}
