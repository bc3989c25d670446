/**
 * What plan and apply share around a change set: the plugins' live checks before it is made, its
 * preview (CloudFormation's changes and both templates as a preview model, with the drift note of the
 * deployed stack), and the message a run that stops early leaves.
 */
import type { CompileResult } from '../compile/compile.js';
import type { PlanResult } from '../deploy/types.js';
import type { DeployContext } from '../deploy/context.js';
import type { PreviewModel } from '../preview/model.js';

export async function previewOf(plan: PlanResult, compiled: CompileResult): Promise<PreviewModel> {
  const { previewFromChangeSet } = await import('../preview/fromChangeSet.js');
  const { driftNote } = await import('../deploy/drift.js');
  const model = previewFromChangeSet({
    stackName: plan.stackName,
    changes: plan.changes,
    oldTemplate: plan.oldTemplate,
    newTemplate: plan.newTemplate,
    resourceOwners: compiled.resourceOwners,
    statusReason: plan.statusReason,
  });
  // The deployed stack was changed outside CloudFormation (as of its last drift detection).
  const drift = driftNote(plan.stack);
  return drift ? { ...model, notes: [...model.notes, drift] } : model;
}

/** What a run stopped before executing says about the change set (and placeholder) it deleted. */
export function stoppedMessage(plan: PlanResult): string {
  return `stopped; nothing was deployed: the change set ${plan.changeSetName} was deleted${plan.placeholder ? ' with its REVIEW_IN_PROGRESS placeholder stack' : ''}`;
}

/**
 * The plugins' live checks (`verify`: what the manifest reuses exists and fits), before anything is
 * sent to CloudFormation; a problem stops the command at its manifest position (exit 3).
 */
export async function verifyLive(compiled: CompileResult, ctx: DeployContext): Promise<void> {
  const { verifyCompiled } = await import('../plugins/live.js');
  await verifyCompiled(compiled, ctx.clients, ctx.signal);
}
