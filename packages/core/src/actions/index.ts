/**
 * The actions as `@mfinfra/core` exports them. The CLI calls the same functions. Each loads the AWS
 * SDK on its first call, so importing core for compiling alone stays fast.
 *
 * - `planDeploy` / `applyDeploy` / `destroyDeploy` take a compiled manifest and a deploy context
 *   (clients, IoHost, signal); `apply` / `plan` / `destroy` take an {@link ActionTarget} and do the
 *   compiling and the clients too.
 * - `planOffline`: the offline plan (no AWS account).
 */
import type { AwsClients, AwsSettings } from '../aws/clients.js';
import type * as Apply from './apply.js';
import type * as Destroy from './destroy.js';
import type * as Drift from '../deploy/drift.js';
import type * as Plan from './plan.js';
import type * as Target from './target.js';

/** `mfinfra plan` (online): a change set, read in full, as a preview model. */
export const planDeploy: typeof Plan.planDeploy = async (...args) => (await import('./plan.js')).planDeploy(...args);
/** `mfinfra plan` (online) for a target: compile, clients, change set, preview. */
export const plan: typeof Plan.plan = async (...args) => (await import('./plan.js')).plan(...args);
/** `mfinfra apply`: plan (or a reviewed change set), review, execute, events, outputs, state. */
export const applyDeploy: typeof Apply.applyDeploy = async (...args) => (await import('./apply.js')).applyDeploy(...args);
/** `mfinfra apply` for a target: compile, clients, then {@link applyDeploy}. */
export const apply: typeof Apply.apply = async (...args) => (await import('./apply.js')).apply(...args);
/** `mfinfra destroy`: what is deleted and retained, review, delete, events. */
export const destroyDeploy: typeof Destroy.destroyDeploy = async (...args) => (await import('./destroy.js')).destroyDeploy(...args);
/** `mfinfra destroy` for a target: compile (for the stack name), clients, then {@link destroyDeploy}. */
export const destroy: typeof Destroy.destroy = async (...args) => (await import('./destroy.js')).destroy(...args);
/** `mfinfra drift`: CloudFormation drift detection on the stack, as a preview model. */
export const detectDrift: typeof Drift.detectDrift = async (...args) => (await import('../deploy/drift.js')).detectDrift(...args);
/** Compile a target's manifest and make its AWS clients (no AWS call yet). */
export const loadDeployTarget: typeof Target.loadDeployTarget = async (...args) => (await import('./target.js')).loadDeployTarget(...args);

/** The AWS clients the deploy functions take (SDK default credential chain, profile, region, endpoint). */
export async function loadAwsClients(settings: AwsSettings = {}): Promise<AwsClients> {
  return (await import('../aws/clients.js')).createAwsClients(settings);
}
