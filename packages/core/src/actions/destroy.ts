/**
 * `mfinfra destroy` as a use-case: what goes and what stays (DESTROY_REVIEW), the CONFIRM_DESTROY
 * question (iohost/), delete, events, and the local state of a stack that is gone.
 */
import path from 'node:path';
import { executeDestroy, planDestroy, type DestroyPlan, type DestroyResult } from '../deploy/destroy.js';
import { abortedError } from '../deploy/poll.js';
import { hostOf } from '../deploy/report.js';
import type { DeployContext } from '../deploy/context.js';
import { notify, request } from '../iohost/messages.js';
import type { ResolvedManifest } from '../load/project.js';
import { deployContext, loadDeployTarget, type ActionRun, type ActionTarget, type DeployTarget } from './target.js';

export interface DestroyDeployOptions {
  /** Wait for a running stack operation to finish instead of refusing. */
  waitForBusy?: boolean;
  /** The manifest's folder: hold its stack lock, and remove the local state once the stack is gone. */
  manifestDir?: string;
  /** The manifest's environment (its local state and lock are per environment). */
  environment?: string;
  /** The user said yes up front (`--yes`): CONFIRM_DESTROY is not asked. */
  yes?: boolean;
  /** The manifest: a production-like or protected one makes CONFIRM_DESTROY ask for the typed name. */
  manifest?: Readonly<ResolvedManifest>;
}

/**
 * `mfinfra destroy`: the host is shown the DestroyPlan (DESTROY_REVIEW: what is deleted, what is
 * retained) and asked CONFIRM_DESTROY (unless `yes`). With `manifestDir`, holds the stack's local
 * lock, and removes the local state once the stack is gone (also when there was no stack to delete).
 */
export async function destroyDeploy(
  stackName: string,
  ctx: DeployContext,
  options: DestroyDeployOptions = {},
): Promise<{ plan: DestroyPlan; result: DestroyResult }> {
  if (!options.manifestDir) return destroyLocked(stackName, ctx, options);
  const { withStackLock } = await import('../state/lock.js');
  return withStackLock(options.manifestDir, stackName, 'destroy', () => destroyLocked(stackName, ctx, options), options.environment);
}

async function destroyLocked(
  stackName: string,
  ctx: DeployContext,
  options: DestroyDeployOptions,
): Promise<{ plan: DestroyPlan; result: DestroyResult }> {
  const plan = await planDestroy(stackName, ctx);
  if (!plan.stackId) {
    // No stack: the applied state describes nothing that exists (else `plan --offline` says "no changes").
    const stateRemoved = await forgetAppliedState(stackName, options);
    return { plan, result: { stackName, status: 'no-stack', retained: [], events: 0, ...(stateRemoved ? { stateRemoved } : {}) } };
  }
  const { assertDeletable } = await import('../deploy/destroy.js');
  assertDeletable(plan, options);
  const io = hostOf(ctx);
  const region = ctx.clients.region;
  notify(io, 'DESTROY_REVIEW', `destroy ${stackName}: ${plan.resources.length} resources`, { plan, region });
  const why = options.manifest ? typedConfirmationReason(options.manifest, plan.terminationProtection) : undefined;
  const go =
    options.yes === true ||
    (await request(
      io,
      'CONFIRM_DESTROY',
      why ? `${why}: type the stack name (${plan.stackName}) to delete it in ${region}:` : `Delete stack ${plan.stackName} in ${region}?`,
      { plan, region, ...(why ? { typeStackName: why } : {}) },
      false,
    ));
  if (!go) throw abortedError(`stack ${stackName} was not deleted`);
  const result = await executeDestroy(plan, ctx, options);
  // The applied state describes a stack that no longer exists.
  const stateRemoved = await forgetAppliedState(stackName, options);
  return { plan, result: stateRemoved ? { ...result, stateRemoved } : result };
}

/** Remove the local state of a stack that is gone, when a manifest folder is known; the file removed, if any. */
async function forgetAppliedState(stackName: string, options: DestroyDeployOptions): Promise<string | undefined> {
  if (!options.manifestDir) return undefined;
  const { removeAppliedState } = await import('../state/localState.js');
  return removeAppliedState(options.manifestDir, stackName, options.environment);
}

const PRODUCTION = /(^|[^a-z])prod(uction)?([^a-z]|$)/i;

/**
 * Why deleting this stack asks for its name, or undefined when a y/N question is enough: termination
 * protection (on the stack or in the manifest), or a production-like name, Metaflow profile or tag.
 * A y/N answer is too easy to give by reflex for such a stack.
 */
export function typedConfirmationReason(manifest: Readonly<ResolvedManifest>, stackProtected: boolean): string | undefined {
  if (stackProtected || manifest.stack.terminationProtection) return 'the stack has termination protection';
  if (PRODUCTION.test(manifest.stack.name)) return `the stack name ${manifest.stack.name} looks like production`;
  const profile = manifest.outputs?.metaflowConfig?.profile;
  if (profile && PRODUCTION.test(profile)) return `the manifest writes the Metaflow profile ${profile}`;
  for (const [key, value] of Object.entries(manifest.stack.tags ?? {})) {
    if (PRODUCTION.test(value)) return `the stack is tagged ${key}=${value}`;
  }
  return undefined;
}

/** `mfinfra destroy` for a target: compile the manifest (its stack name), make the clients, then {@link destroyDeploy}. */
export async function destroy(
  target: ActionTarget & Omit<DestroyDeployOptions, 'manifestDir' | 'manifest' | 'environment'>,
  run: ActionRun = {},
): Promise<{ plan: DestroyPlan; result: DestroyResult } & DeployTarget> {
  const { compiled, clients } = await loadDeployTarget(target, run.io);
  const out = await destroyDeploy(compiled.stackName, deployContext(clients, run), {
    ...target,
    manifestDir: path.dirname(compiled.file),
    manifest: compiled.manifest,
    environment: compiled.environment,
  });
  return { ...out, compiled, clients };
}
