/**
 * `mfinfra apply` as a use-case: the change set (made now, or the one `plan` left for review), its
 * preview and gates, the CHANGE_SET_REVIEW notice and the CONFIRM_DEPLOY question (iohost/), execute,
 * events, the local applied state and the config files.
 */
import path from 'node:path';
import type { CompileResult } from '../compile/compile.js';
import { ErrorCode, fail, MfinfraError, restate, type ErrorCodeName } from '../errors.js';
import type { WriteOutputsOptions, WriteOutputsResult } from '../outputs/types.js';
import { evaluateGates, type GateBlock, type GateOptions } from '../preview/gates.js';
import { executePlan, planFromExistingChangeSet } from '../deploy/apply.js';
import { withLeftovers, type Leftover } from '../deploy/leftovers.js';
import { createPlan, tryDiscardPlan } from '../deploy/plan.js';
import { withStackPolicy } from '../deploy/stackPolicy.js';
import { abortedError, isAbortError } from '../deploy/poll.js';
import { hostOf, reportStep } from '../deploy/report.js';
import type { ApplyOptions, ApplyResult, PlanOptions } from '../deploy/types.js';
import type { DeployContext } from '../deploy/context.js';
import { notify, request } from '../iohost/messages.js';
import { previewOf, stoppedMessage, verifyLive } from './changeSetPreview.js';
import type { PlannedDeploy } from './plan.js';
import { deployContext, loadDeployTarget, type ActionRun, type ActionTarget, type DeployTarget } from './target.js';

/** The code of each refusal when several gates refuse (approval is a question, never a refusal). */
type RefusingGate = Exclude<GateBlock['gate'], 'approval'>;
const GATE_CODES: Record<RefusingGate, ErrorCodeName> = { stateful: ErrorCode.GATE_STATEFUL };

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
 * `mfinfra apply`. Holds the stack's local lock (`.mfinfra/state/<stack>.lock`) throughout, so two
 * applies from one folder cannot both record state.
 */
export async function applyDeploy(
  compiled: CompileResult,
  ctx: DeployContext,
  options: ApplyDeployOptions = {},
): Promise<ApplyDeployResult> {
  const { withStackLock } = await import('../state/lock.js');
  return withStackLock(
    path.dirname(compiled.file),
    compiled.stackName,
    'apply',
    () => applyLocked(compiled, ctx, options),
    compiled.environment,
  );
}

async function applyLocked(compiled: CompileResult, ctx: DeployContext, options: ApplyDeployOptions): Promise<ApplyDeployResult> {
  await verifyLive(compiled, ctx);
  // A plain apply after `plan`: execute the change set that was reviewed (same template), and delete
  // the stale ones an earlier plan left, instead of making another beside them.
  let reused: string | undefined;
  let staleLeft: Leftover[] = [];
  if (!options.changeSet) {
    const { settleReviewedChangeSets } = await import('../deploy/reviewed.js');
    const settled = await settleReviewedChangeSets(compiled, ctx, { reuse: true });
    staleLeft = settled.left;
    if (settled.reuse) {
      reused = settled.reuse.name;
      reportStep(ctx, {
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
      // The host shows the preview either way (so a refusal comes with what was refused); when a
      // gate blocks, nothing is asked.
      const io = hostOf(ctx);
      const { summaryLine } = await import('../preview/render.js');
      notify(io, 'CHANGE_SET_REVIEW', `change set ${plan.changeSetName}: ${summaryLine(preview)}`, {
        plan,
        preview,
        gates,
        yes: options.yes === true,
      });
      const refused = !gates.ok && !gates.approvable;
      go =
        !refused &&
        (options.yes === true ||
          (await request(
            io,
            'CONFIRM_DEPLOY',
            `Deploy ${summaryLine(preview)} to ${plan.stackName} (${plan.changeSetType === 'CREATE' ? 'new stack' : plan.previousStatus}) in ${plan.region}?`,
            { plan, preview, gates },
            false,
          )));
      if (refused) {
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

/** `mfinfra apply` for a target: compile the manifest, make the clients, then {@link applyDeploy}. */
export async function apply(target: ActionTarget & ApplyDeployOptions, run: ActionRun = {}): Promise<ApplyDeployResult & DeployTarget> {
  const { compiled, clients } = await loadDeployTarget(target, run.io);
  return { ...(await applyDeploy(compiled, deployContext(clients, run), target)), compiled, clients };
}
