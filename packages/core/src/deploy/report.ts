/** How the deploy steps talk to the context's IoHost (iohost/messages.ts): progress out, questions in. */
import { notify, quietIoHost, request, type IoHost } from '../iohost/messages.js';
import type { EventProgress, StackEventLine } from './progress.js';
import type { ImportReview } from './types.js';
import type { RetryInfo } from './progress.js';
import type { DeployContext } from './context.js';
import type { DeployStep } from './progress.js';

/** The context's host, or one that shows nothing and answers no. */
export function hostOf(ctx: Pick<DeployContext, 'io'>): IoHost {
  return ctx.io ?? quietIoHost;
}

/** DEPLOY_STEP: a step starts. */
export function reportStep(ctx: Pick<DeployContext, 'io'>, step: DeployStep): void {
  notify(hostOf(ctx), 'DEPLOY_STEP', step.message, step);
}

/** STACK_EVENT: an event of this run's stack operation. */
export function reportEvent(ctx: Pick<DeployContext, 'io'>, event: StackEventLine, progress: EventProgress): void {
  notify(hostOf(ctx), 'STACK_EVENT', `${event.status} ${event.resourceType} ${event.logicalId}`, { event, progress });
}

/** The poll layer's retry report, sent as RETRY. */
export function retryReporter(ctx: Pick<DeployContext, 'io'>): (info: RetryInfo) => void {
  return (info) =>
    notify(
      hostOf(ctx),
      'RETRY',
      `still trying to ${info.what}: ${info.reason}; next try in ${Math.round(info.delayMs / 1000)} s, giving up in ${Math.round(info.giveUpInMs / 1000)} s`,
      info,
    );
}

/** IMPORT_REVIEW (the IMPORT change set, previewed), then CONFIRM_IMPORT unless `yes` (default no). */
export async function confirmImport(ctx: Pick<DeployContext, 'io'>, r: ImportReview, yes: boolean): Promise<boolean> {
  const io = hostOf(ctx);
  const { plan, preview } = r;
  const count = `${preview.summary.import} resource${preview.summary.import === 1 ? '' : 's'}`;
  notify(io, 'IMPORT_REVIEW', `import change set ${r.changeSetName}: ${count} into ${plan.stackName}`, { plan, preview, yes });
  return yes || request(io, 'CONFIRM_IMPORT', `Import ${count} into ${plan.stackName}?`, { plan, preview }, false);
}

/** CONFIRM_RECREATE: may a stack whose creation failed be deleted and made again? Default no. */
export function confirmRecreate(ctx: Pick<DeployContext, 'io'>, stackName: string, status: string, message: string): Promise<boolean> {
  return request(hostOf(ctx), 'CONFIRM_RECREATE', message, { stackName, status }, false);
}
