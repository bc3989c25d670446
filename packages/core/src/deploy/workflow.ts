/**
 * The three deploy commands as programmatic calls (the CLI is a thin layer over these):
 *
 * - `planDeploy`: change set → preview model (+ what the safety gates would say); left for review or
 *   discarded.
 * - `applyDeploy`: the same (or a change set `plan` made earlier), gates, the caller's review
 *   (prompt / `--yes`), execute, events, Outputs, local applied state, config files.
 * - `destroyDeploy`: what goes and what stays, the caller's review, delete, events.
 *
 * Nothing prints: progress goes to `ctx.hooks`, questions to the `review` callback.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { CompileResult } from '../compile/compile.js';
import { ErrorCode, fail, MfinfraError, restate, type ErrorCodeName } from '../errors.js';
import type { WriteOutputsOptions, WriteOutputsResult } from '../outputs/types.js';
import { evaluateGates, type GateBlock, type GateOptions, type GateResult } from '../preview/gates.js';
import type { PreviewModel } from '../preview/model.js';
import { executePlan, planFromExistingChangeSet } from './apply.js';
import { executeDestroy, planDestroy, type DestroyPlan, type DestroyResult } from './destroy.js';
import { withLeftovers, type Leftover } from './leftovers.js';
import { createPlan, tryDiscardPlan } from './plan.js';
import { withStackPolicy } from './stackPolicy.js';
import { abortedError, isAbortError } from './poll.js';
import type { ApplyOptions, ApplyResult, DeployContext, PlanOptions, PlanResult } from './types.js';

/** The code of each refusal when several gates refuse (approval is a question, never a refusal). */
type RefusingGate = Exclude<GateBlock['gate'], 'approval'>;
const GATE_CODES: Record<RefusingGate, ErrorCodeName> = { stateful: ErrorCode.GATE_STATEFUL };

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

async function previewOf(plan: PlanResult, compiled: CompileResult): Promise<PreviewModel> {
  const { previewFromChangeSet } = await import('../preview/fromChangeSet.js');
  const { driftNote } = await import('./drift.js');
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

/** `mfinfra plan`: create a change set, read it, build the preview. `discard` deletes it afterwards. */
export async function planDeploy(
  compiled: CompileResult,
  ctx: DeployContext,
  options: PlanOptions & { discard?: boolean; gates?: Partial<GateOptions> } = {},
): Promise<PlannedDeploy> {
  // Change sets an earlier plan of a different template left are stale: delete them (a matching one
  // stays for whoever reviews it).
  await verifyLive(compiled, ctx);
  const { settleReviewedChangeSets } = await import('./reviewed.js');
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

/**
 * The plugins' live checks (`verify`: what the manifest reuses exists and fits), before anything is
 * sent to CloudFormation; a problem stops the command at its manifest position (exit 3).
 */
async function verifyLive(compiled: CompileResult, ctx: DeployContext): Promise<void> {
  const { verifyCompiled } = await import('../plugins/live.js');
  await verifyCompiled(compiled, ctx.clients, ctx.signal);
}

function stoppedMessage(plan: PlanResult): string {
  return `stopped; nothing was deployed: the change set ${plan.changeSetName} was deleted${plan.placeholder ? ' with its REVIEW_IN_PROGRESS placeholder stack' : ''}`;
}

export interface ApplyDeployOptions extends PlanOptions, ApplyOptions {
  /** Execute this change set (made earlier by `plan`) instead of creating one. */
  changeSet?: string;
  gates?: Partial<Omit<GateOptions, 'approved'>>;
  /** Options for the config files (force, env...). */
  outputs?: WriteOutputsOptions;
}

export interface ApplyDeployResult extends PlannedDeploy {
  result: ApplyResult;
  /** The config files written from the stack's Outputs. */
  outputs?: WriteOutputsResult;
  /** The local applied-state file (for `plan --offline`). */
  stateFile?: string;
}

/**
 * Shown the preview and the gates' verdict, say whether to go ahead. The CLI asks on a TTY, or
 * answers from `--yes`; a `false` deletes the change set (and a REVIEW_IN_PROGRESS placeholder).
 * When a safety gate blocks (`!gates.ok && !gates.approvable`) the change is refused whatever the
 * answer: show it, do not ask.
 */
export type ReviewCallback = (planned: Required<Omit<PlannedDeploy, 'refused' | 'leftovers'>>) => Promise<boolean>;

/**
 * `mfinfra apply`. Holds the stack's local lock (`.mfinfra/state/<stack>.lock`) throughout, so two
 * applies from one folder cannot both record state.
 */
export async function applyDeploy(
  compiled: CompileResult,
  ctx: DeployContext,
  review: ReviewCallback,
  options: ApplyDeployOptions = {},
): Promise<ApplyDeployResult> {
  const { withStackLock } = await import('../state/lock.js');
  return withStackLock(
    path.dirname(compiled.file),
    compiled.stackName,
    'apply',
    () => applyLocked(compiled, ctx, review, options),
    compiled.environment,
  );
}

async function applyLocked(
  compiled: CompileResult,
  ctx: DeployContext,
  review: ReviewCallback,
  options: ApplyDeployOptions,
): Promise<ApplyDeployResult> {
  await verifyLive(compiled, ctx);
  // A plain apply after `plan`: execute the change set that was reviewed (same template), and delete
  // the stale ones an earlier plan left, instead of making another beside them.
  let reused: string | undefined;
  let staleLeft: Leftover[] = [];
  if (!options.changeSet) {
    const { settleReviewedChangeSets } = await import('./reviewed.js');
    const settled = await settleReviewedChangeSets(compiled, ctx, { reuse: true });
    staleLeft = settled.left;
    if (settled.reuse) {
      reused = settled.reuse.name;
      ctx.hooks?.onStep?.({
        step: 'create-change-set',
        message: `using change set ${settled.reuse.name}, left for review by \`mfinfra plan\` (same template)`,
      });
    }
  }
  const existing = options.changeSet ?? reused;
  const plan = existing
    ? await planFromExistingChangeSet(compiled, ctx, existing)
    : await createPlan(compiled, ctx, { ...options, recreateFailed: true });
  let planned: PlannedDeploy = { plan, ...(staleLeft.length ? { leftovers: staleLeft } : {}) };
  if (plan.status === 'changes') {
    let go: boolean;
    try {
      const preview = await previewOf(plan, compiled);
      const gates = evaluateGates(preview, {
        allowReplace: [],
        requireApproval: 'broadening',
        ...options.gates,
        approved: options.yes === true,
      });
      planned = { ...planned, plan, preview, gates };
      // The review sees the preview either way (so a refusal comes with what was refused); when a
      // gate blocks, its answer does not matter.
      go = await review({ plan, preview, gates });
      if (!gates.ok && !gates.approvable) {
        // One block per refusal. Approval is a question, not a refusal: it is left out here (the
        // refusals stand whatever the answer).
        const refusals = gates.blocked.filter((b) => b.gate !== 'approval');
        const only = refusals.length === 1 ? refusals[0]! : undefined;
        throw fail.GATE_BLOCKED(
          only
            ? `the change to ${plan.stackName} was refused by a safety gate: ${only.reason}`
            : `the change to ${plan.stackName} was refused by ${refusals.length} safety gates`,
          {
            ...(only ? { hint: only.hint } : {}),
            diagnostics: only
              ? []
              : refusals.map((b) => ({
                  code: GATE_CODES[b.gate as RefusingGate],
                  severity: 'error' as const,
                  message: b.reason,
                  hint: b.hint,
                })),
          },
        );
      }
    } catch (e) {
      // Refused, interrupted, or the review failed: remove what this run made, or say loudly what is
      // left. A change set reviewed earlier (--change-set) and its placeholder stack stay for whoever
      // made them (they are not executable by this run, and `apply --change-set` checks the gates again).
      if (options.changeSet) throw e;
      const left = await tryDiscardPlan(ctx, plan);
      if (isAbortError(e) && !left.length) throw abortedError(stoppedMessage(plan));
      throw withLeftovers(e, left);
    }
    if (!go) {
      if (options.changeSet) throw abortedError(`nothing was deployed; change set ${plan.changeSetName} was kept for review`);
      const left = await tryDiscardPlan(ctx, plan);
      throw withLeftovers(
        abortedError(
          left.length
            ? 'nothing was deployed'
            : `nothing was deployed; the change set was deleted${plan.placeholder ? ' and the REVIEW_IN_PROGRESS placeholder stack removed' : ''}`,
        ),
        left,
      );
    }
  }
  const progress = { executed: false as boolean | 'unknown' };
  let result: ApplyResult;
  try {
    // The stack policy guards the stateful resources server-side; --allow-replace lifts it for this deploy only.
    result = await withStackPolicy(
      ctx,
      { stackName: plan.stackName, exists: plan.changeSetType === 'UPDATE' },
      compiled.template,
      options.gates?.allowReplace ?? [],
      () => executePlan(plan, compiled, ctx, options, progress),
    );
  } catch (e) {
    if (progress.executed !== false || plan.status !== 'changes') throw e;
    // Nothing was executed (Ctrl-C before ExecuteChangeSet, or it was throttled every time): the
    // change set this run made must not stay behind, executable.
    if (options.changeSet) {
      throw isAbortError(e) ? abortedError(`stopped; nothing was deployed; change set ${plan.changeSetName} was kept for review`) : e;
    }
    const left = await tryDiscardPlan(ctx, plan);
    if (isAbortError(e) && !left.length) throw abortedError(stoppedMessage(plan));
    throw withLeftovers(
      MfinfraError.is(e) && !isAbortError(e) && !left.length
        ? restate(
            e,
            `${e.message}; nothing was deployed: the change set ${plan.changeSetName} was deleted${plan.placeholder ? ' with its REVIEW_IN_PROGRESS placeholder stack' : ''}`,
            {
              hint: e.hint,
            },
          )
        : e,
      left,
    );
  }
  const manifestDir = path.dirname(compiled.file);
  let stateFile: string | undefined;
  if (result.status === 'deployed') {
    // Record only what is deployed: when the stack says another change set ran after this one
    // (another deploy from elsewhere), its template is not ours.
    if (result.lastChangeSetId && plan.changeSetId && !sameChangeSet(result.lastChangeSetId, plan.changeSetId)) {
      throw fail.STACK_MOVED(
        `stack ${plan.stackName} ended in ${result.finalStatus}, but its last operation is change set ${result.lastChangeSetId}, not this run's ${plan.changeSetName}: another deploy changed it meanwhile; the local state and config files were not written`,
        { hint: 'run `mfinfra plan` to see where the stack stands, then apply again' },
      );
    }
    const { writeAppliedState, stateFilePath } = await import('../state/localState.js');
    await writeAppliedState(manifestDir, plan.stackName, compiled.template, compiled.environment);
    stateFile = stateFilePath(manifestDir, plan.stackName, compiled.environment);
  }
  let outputs: WriteOutputsResult | undefined;
  if (result.stackId) {
    const { writeConfigOutputs } = await import('../outputs/write.js');
    try {
      outputs = await writeConfigOutputs({
        compiled,
        stackOutputs: result.outputs,
        region: ctx.clients.region,
        // The plugins' AWS reads after deploy (ctx.aws) use the run's clients and settings.
        access: ctx.clients,
        signal: ctx.signal,
        options: options.outputs,
      });
    } catch (e) {
      // The stack is deployed either way: say so, and how to get the files once the cause is fixed.
      if (!MfinfraError.is(e)) throw e;
      throw restate(
        e,
        `stack ${plan.stackName} was deployed (${result.finalStatus ?? result.status}), but the config files were not written: ${e.message}`,
        {
          hint: 'fix the cause above, then run `mfinfra outputs` to write the files (nothing needs to be redeployed)',
          // The stack changed, so never 3 ("nothing was changed"), whatever the write's own code says.
          kind: e.kind === 'invalid' ? 'runtime' : e.kind,
          loc: e.loc,
          frame: e.frame,
          diagnostics: e.diagnostics,
        },
      );
    }
  }
  return { ...planned, result, outputs, stateFile };
}

/** Two change set ids (ARN or name) for the same change set. */
function sameChangeSet(a: string, b: string): boolean {
  const name = (id: string) => /:changeSet\/([^/]+)\//.exec(id)?.[1] ?? id;
  return a === b || name(a) === name(b);
}

/**
 * `mfinfra destroy`: the caller reviews the DestroyPlan (what is deleted, what is retained) and says
 * yes. With `manifestDir`, holds the stack's local lock, and removes the local state once the stack
 * is gone (also when there was no stack to delete).
 */
export async function destroyDeploy(
  stackName: string,
  ctx: DeployContext,
  review: (plan: DestroyPlan) => Promise<boolean>,
  options: { waitForBusy?: boolean; manifestDir?: string; environment?: string } = {},
): Promise<{ plan: DestroyPlan; result: DestroyResult }> {
  if (!options.manifestDir) return destroyLocked(stackName, ctx, review, options);
  const { withStackLock } = await import('../state/lock.js');
  return withStackLock(
    options.manifestDir,
    stackName,
    'destroy',
    () => destroyLocked(stackName, ctx, review, options),
    options.environment,
  );
}

async function destroyLocked(
  stackName: string,
  ctx: DeployContext,
  review: (plan: DestroyPlan) => Promise<boolean>,
  options: { waitForBusy?: boolean; manifestDir?: string; environment?: string },
): Promise<{ plan: DestroyPlan; result: DestroyResult }> {
  const plan = await planDestroy(stackName, ctx);
  if (!plan.stackId) {
    // No stack: the applied state describes nothing that exists (else `plan --offline` says "no changes").
    let stateRemoved: string | undefined;
    if (options.manifestDir) {
      const { stateFilePath } = await import('../state/localState.js');
      const file = stateFilePath(options.manifestDir, stackName, options.environment);
      const { existsSync } = await import('node:fs');
      if (existsSync(file)) {
        await rm(file, { force: true });
        stateRemoved = file;
      }
    }
    return { plan, result: { stackName, status: 'no-stack', retained: [], events: 0, ...(stateRemoved ? { stateRemoved } : {}) } };
  }
  const { assertDeletable } = await import('./destroy.js');
  assertDeletable(plan, options);
  if (!(await review(plan))) throw abortedError(`stack ${stackName} was not deleted`);
  const result = await executeDestroy(plan, ctx, options);
  if (options.manifestDir) {
    // The applied state describes a stack that no longer exists.
    const { stateFilePath } = await import('../state/localState.js');
    const file = stateFilePath(options.manifestDir, stackName, options.environment);
    const { existsSync } = await import('node:fs');
    if (existsSync(file)) {
      await rm(file, { force: true });
      return { plan, result: { ...result, stateRemoved: file } };
    }
  }
  return { plan, result };
}
