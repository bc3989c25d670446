/**
 * The deploy API as `@mfinfra/core` exports it. Each function loads the AWS SDK on its first call,
 * so importing core for compiling alone stays fast.
 */
import type { AwsClients, AwsSettings } from '../aws/clients.js';
import type * as Workflow from './workflow.js';

/** `mfinfra plan` (online): a change set, read in full, as a preview model. */
export const planDeploy: typeof Workflow.planDeploy = async (...args) => (await import('./workflow.js')).planDeploy(...args);
/** `mfinfra apply`: plan (or a reviewed change set), review, execute, events, outputs, state. */
export const applyDeploy: typeof Workflow.applyDeploy = async (...args) => (await import('./workflow.js')).applyDeploy(...args);
/** `mfinfra destroy`: what is deleted and retained, review, delete, events. */
export const destroyDeploy: typeof Workflow.destroyDeploy = async (...args) => (await import('./workflow.js')).destroyDeploy(...args);

/** The AWS clients the deploy functions take (SDK default credential chain, profile, region, endpoint). */
export async function loadAwsClients(settings: AwsSettings = {}): Promise<AwsClients> {
  return (await import('../aws/clients.js')).createAwsClients(settings);
}
