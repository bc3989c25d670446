/**
 * `mfinfra adopt`: bring resources that already exist (the datastore bucket, the DynamoDB table, the
 * RDS instance and its secret, log groups) into the manifest's stack with a CloudFormation IMPORT
 * change set. Each live resource is read and compared with the template first (`deploy/importPlan.ts`):
 * one the template would replace is never imported; one the next update would change is refused,
 * naming the property, unless `updateAfterImport` (then the next `mfinfra apply` changes it, in its
 * preview). The import is previewed like every plan (action "import") and executed only on a yes.
 * Afterwards the local state records the imported template, so `plan --offline` and `apply` carry on
 * from it; `mfinfra apply` then creates the rest.
 */
import path from 'node:path';
import type { CompileResult } from '../compile/compile.js';
import type { CfnTemplate } from '../compile/template.js';
import { fail } from '../errors.js';
import { importResources, type ImportResult } from '../deploy/importChangeSet.js';
import { importClientsOf, readLive, type ImportClients, type LiveResource } from '../deploy/importLive.js';
import { planImport, type ImportPlan, type ImportRequest } from '../deploy/importPlan.js';
import { getDeployedTemplate } from '../deploy/plan.js';
import { pollOptionsOf } from '../deploy/poll.js';
import { classifyStackStatus, describeStack } from '../deploy/stackState.js';
import type { DeployContext } from '../deploy/context.js';
import type { PreviewModel } from '../preview/model.js';

export interface AdoptOptions {
  /** What to import: logical id of the compiled template → the live resource's name, id or ARN. */
  imports: ImportRequest[];
  /** Import resources whose updatable properties differ with their live values; the next apply changes them. */
  updateAfterImport?: boolean;
  templateBucket?: string;
  /** Override the manifest's stack name (migrate imports into the manifest's stack; tests). */
  stackName?: string;
  /** The user said yes up front (`--yes`): CONFIRM_IMPORT is not asked. */
  yes?: boolean;
}

export interface AdoptResult {
  plan: ImportPlan;
  preview: PreviewModel;
  result: ImportResult;
  /** The local state file now holding the imported template. */
  stateFile: string;
}

/** Read every resource to import, by the type its logical id has in the compiled template. */
export async function readLiveResources(
  compiled: CompileResult,
  clients: ImportClients,
  requests: ImportRequest[],
  ctx: DeployContext,
): Promise<Record<string, LiveResource>> {
  const resources = compiled.template.Resources as Record<string, { Type: string }>;
  const live: Record<string, LiveResource> = {};
  for (const r of requests) {
    const type = resources[r.logicalId]?.Type;
    // planImport names unknown ids with the candidates; nothing to read for them.
    if (!type) continue;
    live[r.logicalId] = await readLive(clients, type, r.physicalId, pollOptionsOf(ctx));
  }
  return live;
}

/**
 * Check, preview (IMPORT_REVIEW), ask (CONFIRM_IMPORT, default no), import. Holds the stack's local
 * lock. The live resources are read with `clients` (default: made from the context's).
 */
export async function adopt(
  compiled: CompileResult,
  ctx: DeployContext,
  options: AdoptOptions,
  clients: ImportClients = importClientsOf(ctx.clients),
): Promise<AdoptResult> {
  const manifestDir = path.dirname(compiled.file);
  const stackName = options.stackName ?? compiled.stackName;
  const { withStackLock } = await import('../state/lock.js');
  return withStackLock(
    manifestDir,
    stackName,
    'adopt',
    async () => {
      const cfn = ctx.clients.cloudFormation;
      const poll = pollOptionsOf(ctx);
      const stack = await describeStack(cfn, stackName, poll);
      const condition = classifyStackStatus(stack?.StackStatus);
      if (condition === 'busy') {
        throw fail.STACK_BUSY(`stack ${stackName} is busy (${stack?.StackStatus}); nothing was imported`, {
          hint: 'wait for the running operation to finish, then run adopt again',
        });
      }
      if (condition === 'failed-create' || condition === 'rollback-failed') {
        throw fail.STACK_STATE(`stack ${stackName} is in ${stack?.StackStatus}; resources cannot be imported into it`, {
          hint:
            condition === 'failed-create'
              ? `delete the failed stack first (aws cloudformation delete-stack --stack-name ${stackName}), then run adopt again`
              : 'run `mfinfra apply --continue-rollback` first',
        });
      }
      const exists = condition === 'ready';
      const deployed = exists ? ((await getDeployedTemplate(cfn, stackName, poll)) as CfnTemplate | undefined) : undefined;
      if (exists && !deployed) {
        throw fail.AWS_ERROR(`the template of stack ${stackName} could not be read as JSON or YAML`, {});
      }
      const live = await readLiveResources(compiled, clients, options.imports, ctx);
      const plan = planImport({
        stackName,
        target: compiled.template,
        deployed,
        requests: options.imports,
        live,
        updateAfterImport: options.updateAfterImport,
      });
      const result = await importResources(ctx, {
        plan,
        stackExists: exists,
        deployed,
        tags: compiled.manifest.stack.tags,
        roleArn: compiled.manifest.stack.roleArn,
        notificationArns: compiled.manifest.stack.notificationArns,
        templateBucket: options.templateBucket ?? compiled.manifest.stack.templateBucket,
        resourceOwners: compiled.resourceOwners,
        yes: options.yes === true,
      });
      const { writeAppliedState, stateFilePath } = await import('../state/localState.js');
      await writeAppliedState(manifestDir, stackName, plan.template, compiled.environment);
      return { plan, preview: result.preview, result, stateFile: stateFilePath(manifestDir, stackName, compiled.environment) };
    },
    compiled.environment,
  );
}
