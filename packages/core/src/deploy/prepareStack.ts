/**
 * Bring the stack to a state a change set can be made against, or say clearly why not: wait out a
 * running operation (or refuse), continue a failed rollback (when asked), delete a failed creation
 * (with consent).
 */
import { ContinueUpdateRollbackCommand, DeleteStackCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { ErrorCode, fail, MfinfraError } from '../errors.js';
import { StackEventWatcher } from './events.js';
import { abortedError, callAws, pollUntil, STACK_POLL, pollOptionsOf } from './poll.js';
import { classifyStackStatus, describeStack, type StackCondition } from './stackState.js';
import type { PlanOptions } from './types.js';
import type { DeployContext } from './context.js';
import { followStack, watchHint } from './waitForStack.js';
import { confirmRecreate, reportStep } from './report.js';

export interface PreparedStack {
  stack?: Stack;
  condition: StackCondition;
  previousStatus?: string;
  recovered?: 'continue-rollback' | 'recreated';
}

const describeEvents = (name: string) => `aws cloudformation describe-stack-events --stack-name ${name}`;

export async function prepareStack(ctx: DeployContext, stackName: string, options: PlanOptions): Promise<PreparedStack> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  let stack = await describeStack(cfn, stackName, poll);
  const previousStatus = stack?.StackStatus;
  let condition = classifyStackStatus(stack?.StackStatus);

  if (condition === 'busy') {
    if (!options.waitForBusy) {
      throw fail.STACK_BUSY(`stack ${stackName} is busy: ${stack!.StackStatus} (another operation is running)`, {
        hint: `wait for it to finish (${describeEvents(stackName)}), or pass --wait-for-busy to wait here`,
      });
    }
    reportStep(ctx, {
      step: 'wait-busy',
      message: `stack ${stackName} is ${stack!.StackStatus}; waiting for the running operation to finish`,
    });
    try {
      stack = await pollUntil(
        `wait for stack ${stackName} to finish its operation`,
        ctx.timing?.stack ?? STACK_POLL,
        async () => {
          const s = await describeStack(cfn, stackName, poll);
          return classifyStackStatus(s?.StackStatus) === 'busy' ? undefined : { s };
        },
        poll,
      ).then((r) => r.s);
    } catch (e) {
      if (MfinfraError.is(e) && e.code === ErrorCode.ABORTED)
        throw abortedError(`stopped waiting for stack ${stackName}`, watchHint(stackName));
      throw e;
    }
    condition = classifyStackStatus(stack?.StackStatus);
  }

  if (condition === 'rollback-failed') {
    if (!options.continueRollback) {
      throw fail.STACK_STATE(`stack ${stackName} is in UPDATE_ROLLBACK_FAILED state and can not be updated`, {
        hint:
          `an update failed and so did its rollback. See why with: ${describeEvents(stackName)}. ` +
          `Fix the cause (e.g. a resource changed or deleted outside CloudFormation), then run \`mfinfra apply --continue-rollback\` ` +
          `(ContinueUpdateRollback); resources that cannot be rolled back can be skipped with ` +
          `aws cloudformation continue-update-rollback --stack-name ${stackName} --resources-to-skip LogicalId`,
      });
    }
    reportStep(ctx, { step: 'continue-rollback', message: `continuing the failed rollback of ${stackName} (ContinueUpdateRollback)` });
    const watcher = new StackEventWatcher(cfn, stack!.StackId!, undefined, undefined, poll);
    await watcher.prime();
    await callAws('continue the rollback', (o) => cfn.send(new ContinueUpdateRollbackCommand({ StackName: stackName }), o), {
      ...poll,
      idempotent: false,
    });
    stack = (await followStack(ctx, stackName, stack!.StackId!, watcher)).stack;
    if (stack.StackStatus !== 'UPDATE_ROLLBACK_COMPLETE') {
      throw fail.STACK_STATE(`the rollback of ${stackName} ended in ${stack.StackStatus}`, {
        hint: `see why with: ${describeEvents(stackName)}; skip resources that cannot be rolled back with --resources-to-skip (aws cloudformation continue-update-rollback)`,
      });
    }
    return { stack, condition: 'ready', previousStatus, recovered: 'continue-rollback' };
  }

  if (condition === 'failed-create') {
    const status = stack!.StackStatus!;
    const message = `stack ${stackName} is in ${status}: its creation failed, and it can not be updated; it must be deleted and created again`;
    if (!options.recreateFailed) {
      throw fail.STACK_STATE(message, {
        hint: `see why the creation failed: ${describeEvents(stackName)}; then \`mfinfra apply\` offers to delete and re-create it (or run \`mfinfra destroy\`)`,
      });
    }
    const consent = options.yes || (await confirmRecreate(ctx, stackName, status, `${message}. Delete it now and create it again?`));
    if (!consent) {
      throw abortedError(
        `stack ${stackName} was left in ${status}`,
        'pass --yes to allow mfinfra to delete the failed stack and create it again',
      );
    }
    reportStep(ctx, { step: 'delete-failed-stack', message: `deleting ${stackName} (${status}) before creating it again` });
    const watcher = new StackEventWatcher(cfn, stack!.StackId!, undefined, undefined, poll);
    await watcher.prime();
    await callAws('delete the failed stack', (o) => cfn.send(new DeleteStackCommand({ StackName: stack!.StackId! }), o), {
      ...poll,
      idempotent: false,
    });
    const end = (await followStack(ctx, stackName, stack!.StackId!, watcher)).stack;
    if (end.StackStatus !== 'DELETE_COMPLETE') {
      throw fail.STACK_STATE(`could not delete the failed stack ${stackName}: it ended in ${end.StackStatus}`, {
        hint: `see why: ${describeEvents(stackName)}`,
      });
    }
    return { stack: undefined, condition: 'none', previousStatus, recovered: 'recreated' };
  }

  return { stack, condition, previousStatus };
}
