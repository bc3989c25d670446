/**
 * The actions as `@mfinfra/core` exports them. The CLI calls the same functions. Each loads the AWS
 * SDK on its first call, so importing core for compiling alone stays fast.
 *
 * - `planDeploy` / `applyDeploy` / `destroyDeploy` take a compiled manifest and a deploy context
 *   (clients, IoHost, signal); `apply` / `plan` / `destroy` take an {@link ActionTarget} and do the
 *   compiling and the clients too.
 * - `outputsDeploy` / `outputs`: the config files of the deployed stack (`mfinfra outputs`).
 * - `adopt`, `migrate`: an IMPORT of existing resources, and the move from the official template.
 * - `planOffline`: the offline plan (no AWS account).
 */
import type { AwsClients, AwsSettings } from '../aws/clients.js';
import type * as Adopt from './adopt.js';
import type * as Apply from './apply.js';
import type * as Destroy from './destroy.js';
import type * as Drift from '../deploy/drift.js';
import type * as Migrate from './migrate.js';
import type * as Outputs from './outputs.js';
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
/** `mfinfra outputs`: write (or `print`) the config files for the compiled manifest's deployed stack. */
export const outputsDeploy: typeof Outputs.outputsDeploy = async (...args) => (await import('./outputs.js')).outputsDeploy(...args);
/** `mfinfra outputs` for a target: compile, clients, then {@link outputsDeploy}. */
export const outputs: typeof Outputs.outputs = async (...args) => (await import('./outputs.js')).outputs(...args);
/** `mfinfra adopt`: check, preview and import existing resources into the stack (IMPORT change set). */
export const adopt: typeof Adopt.adopt = async (...args) => (await import('./adopt.js')).adopt(...args);
/** `mfinfra migrate`: move a deployment of the official template under the manifest's stack, step by step. */
export const migrate: typeof Migrate.migrate = async (...args) => (await import('./migrate.js')).migrate(...args);
/** Compile a target's manifest and make its AWS clients (no AWS call yet). */
export const loadDeployTarget: typeof Target.loadDeployTarget = async (...args) => (await import('./target.js')).loadDeployTarget(...args);

/** The AWS clients the deploy functions take (SDK default credential chain, profile, region, endpoint). */
export async function loadAwsClients(settings: AwsSettings = {}): Promise<AwsClients> {
  return (await import('../aws/clients.js')).createAwsClients(settings);
}
