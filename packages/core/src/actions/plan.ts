/**
 * `mfinfra plan` as a use-case: a change set CloudFormation computed (online), or a prediction from
 * the templates (offline: the compiled template against the last applied one, or a file). Both give a
 * preview model and what the safety gates say; nothing prints (progress goes to the IoHost).
 */
import { evaluateGates, type GateOptions, type GateResult } from '../preview/gates.js';
import type { PreviewModel } from '../preview/model.js';
import type { CompileResult } from '../compile/compile.js';
import { withLeftovers, type Leftover } from '../deploy/leftovers.js';
import { createPlan, tryDiscardPlan } from '../deploy/plan.js';
import { abortedError, isAbortError } from '../deploy/poll.js';
import type { PlanOptions, PlanResult } from '../deploy/types.js';
import type { DeployContext } from '../deploy/context.js';
import { previewOf, stoppedMessage, verifyLive } from './changeSetPreview.js';
import { deployContext, loadDeployTarget, type ActionRun, type ActionTarget, type DeployTarget } from './target.js';

export interface PlannedDeploy {
  plan: PlanResult;
  /** A safety gate refused the change, so the change set (and placeholder) this run made was deleted. */
  refused?: boolean;
  /** What could not be deleted after a refusal or --discard (empty or absent: nothing was left). */
  leftovers?: Leftover[];
  /** Undefined when there is nothing to deploy. */
  preview?: PreviewModel;
  gates?: GateResult;
}

export interface PlanDeployOptions extends PlanOptions {
  /** Delete the change set after reading it (default: leave it for review). */
  discard?: boolean;
  gates?: Partial<GateOptions>;
}

/** `mfinfra plan`: create a change set, read it, build the preview. `discard` deletes it afterwards. */
export async function planDeploy(compiled: CompileResult, ctx: DeployContext, options: PlanDeployOptions = {}): Promise<PlannedDeploy> {
  // Change sets an earlier plan of a different template left are stale: delete them (a matching one
  // stays for whoever reviews it).
  await verifyLive(compiled, ctx);
  const { settleReviewedChangeSets } = await import('../deploy/reviewed.js');
  const stale = (await settleReviewedChangeSets(compiled, ctx, { reuse: false })).left;
  const plan = await createPlan(compiled, ctx, options);
  if (plan.status === 'no-changes') return { plan, ...(stale.length ? { leftovers: stale } : {}) };
  try {
    const preview = await previewOf(plan, compiled);
    const gates = evaluateGates(preview, { allowReplace: [], requireApproval: 'broadening', approved: false, ...options.gates });
    // Ctrl-C while the change set was read: nothing is left for review.
    if (ctx.signal?.aborted) throw abortedError('interrupted');
    // A change no approval can pass (a stateful replacement or removal) is never left executable.
    const refused = !gates.ok && !gates.approvable;
    if (options.discard || refused) {
      const leftovers = [...stale, ...(await tryDiscardPlan(ctx, plan))];
      return {
        plan: leftovers.length ? plan : { ...plan, changeSetId: undefined },
        preview,
        gates,
        ...(refused ? { refused } : {}),
        ...(leftovers.length ? { leftovers } : {}),
      };
    }
    return { plan, preview, gates, ...(stale.length ? { leftovers: stale } : {}) };
  } catch (e) {
    const left = await tryDiscardPlan(ctx, plan);
    if (isAbortError(e) && !left.length) throw abortedError(stoppedMessage(plan));
    throw withLeftovers(e, left);
  }
}

/** `mfinfra plan` (online) for a target: compile the manifest, make the clients, then {@link planDeploy}. */
export async function plan(target: ActionTarget & PlanDeployOptions, run: ActionRun = {}): Promise<PlannedDeploy & DeployTarget> {
  const { compiled, clients } = await loadDeployTarget(target, run.io);
  return { ...(await planDeploy(compiled, deployContext(clients, run), target)), compiled, clients };
}
