/**
 * Follow a stack operation to its end: stream events, re-read the status, stop at the first status
 * that is not *_IN_PROGRESS. Ctrl-C (the signal) stops watching, never the operation.
 */
import { DescribeStacksCommand, type CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import { fail } from '../errors.js';
import type { StackEventWatcher } from './events.js';
import type { EventProgress, StackEventLine } from './progress.js';
import { abortedError, isAbortError, pollOptionsOf, pollUntil, STACK_POLL, type PollOptions, type PollTiming } from './poll.js';
import type { DeployContext } from './context.js';
import { reportEvent } from './report.js';

export interface WaitOptions extends PollOptions {
  timing?: PollTiming;
  onEvent?: (event: StackEventLine, progress: EventProgress) => void;
  /** Given: an events read that fails is recorded here (`reason`) and following goes on by status alone. */
  eventsUnavailable?: { reason?: string };
}

/** How to follow a stack's operation from another terminal. */
export function watchHint(stackName: string): string {
  return `the stack operation continues in AWS; follow it with: aws cloudformation describe-stack-events --stack-name ${stackName}`;
}

/** Reads of REVIEW_IN_PROGRESS right after ExecuteChangeSet may be stale (CDK re-reads 3 times). */
const STALE_REVIEW_READS = 3;

export async function waitForStackOperation(
  cfn: CloudFormationClient,
  stackName: string,
  stackId: string,
  watcher: StackEventWatcher,
  options: WaitOptions = {},
): Promise<Stack> {
  let reviewReads = 0;
  // Events are a nicety; the stack's status is what counts. When they cannot be read (throttled,
  // 5xx, denied), keep following the status and say so once.
  const flush = async () => {
    if (options.eventsUnavailable?.reason) return;
    try {
      for (const { event, progress } of await watcher.poll()) options.onEvent?.(event, progress);
    } catch (e) {
      if (isAbortError(e) || options.signal?.aborted || !options.eventsUnavailable) throw e;
      options.eventsUnavailable.reason = (e as Error).message;
    }
  };
  try {
    return await pollUntil<Stack>(
      `follow stack ${stackName}`,
      options.timing ?? STACK_POLL,
      async (call) => {
        await flush();
        const out = await cfn.send(new DescribeStacksCommand({ StackName: stackId }), call);
        const stack = out.Stacks?.[0];
        if (!stack) throw fail.DEPLOY_FAILED(`stack ${stackName} disappeared while mfinfra followed it`, {});
        const status = stack.StackStatus ?? '';
        if (status === 'REVIEW_IN_PROGRESS') {
          if (++reviewReads <= STALE_REVIEW_READS) return undefined;
        } else if (status.endsWith('_IN_PROGRESS')) return undefined;
        await flush();
        return stack;
      },
      options,
    );
  } catch (e) {
    if (isAbortError(e)) throw abortedError(`stopped following stack ${stackName}`, watchHint(stackName));
    throw e;
  }
}

/**
 * {@link waitForStackOperation} the way every deploy step follows a stack: the context's signal,
 * delays and stack timing, each event passed to its `onEvent` hook. Also counts the events.
 */
export async function followStack(
  ctx: DeployContext,
  stackName: string,
  stackId: string,
  watcher: StackEventWatcher,
): Promise<{ stack: Stack; events: number; eventsUnavailable?: string }> {
  let events = 0;
  const eventsUnavailable: { reason?: string } = {};
  const stack = await waitForStackOperation(ctx.clients.cloudFormation, stackName, stackId, watcher, {
    ...pollOptionsOf(ctx),
    eventsUnavailable,
    timing: ctx.timing?.stack,
    onEvent: (event, progress) => {
      events++;
      reportEvent(ctx, event, progress);
    },
  });
  return { stack, events, ...(eventsUnavailable.reason ? { eventsUnavailable: eventsUnavailable.reason } : {}) };
}
