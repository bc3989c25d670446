/**
 * `apply`: execute a reviewed change set, follow the stack to its end state streaming its events,
 * sync termination protection, read the Outputs. Also: find and check a change set made earlier by
 * `plan` (`--change-set NAME`).
 */
import {
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  UpdateTerminationProtectionCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import type { CompileResult } from '../compile/compile.js';
import { ErrorCode, fail, MfinfraError, restate, type Diagnostic } from '../errors.js';
import { awsErrorName, isThrottling } from './awsErrors.js';
import { describeAllChanges } from './changeSet.js';
import { StackEventWatcher, type StackEventLine } from './events.js';
import { digestFromDescription, getDeployedTemplate, sameTemplate, templateBodyOf, templateDigest } from './plan.js';
import { callAws, isAbortError, pollOptionsOf } from './poll.js';
import { describeStack, outputsOf } from './stackState.js';
import type { ApplyOptions, ApplyResult, PlanResult } from './types.js';
import type { DeployContext } from './context.js';
import { followStack, watchHint } from './waitForStack.js';
import { reportStep } from './report.js';

const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

/** Execute the plan's change set and follow the stack until the operation ends. */
export async function executePlan(
  plan: PlanResult,
  compiled: CompileResult,
  ctx: DeployContext,
  options: ApplyOptions = {},
  /** Set to `true` once ExecuteChangeSet was accepted (`'unknown'`: it failed in a way that may have run it). */
  progress: { executed: boolean | 'unknown' } = { executed: false },
): Promise<ApplyResult> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const wantProtection = compiled.manifest.stack.terminationProtection === true;
  if (plan.status === 'no-changes' || !plan.changeSetId) {
    const stack = plan.stack ?? (await describeStack(cfn, plan.stackName, poll));
    const protection = await syncTerminationProtection(ctx, plan.stackName, stack, wantProtection);
    return {
      stackName: plan.stackName,
      stackId: stack?.StackId,
      status: 'no-changes',
      finalStatus: stack?.StackStatus,
      outputs: outputsOf(stack),
      events: 0,
      terminationProtection: protection,
    };
  }
  const stackId = plan.stackId ?? plan.stackName;
  const watcher = new StackEventWatcher(cfn, stackId, plan.createdAt, plan.changes.length, poll);
  if (!plan.createdAt) await watcher.prime();
  reportStep(ctx, { step: 'execute', message: `executing change set ${plan.changeSetName} on ${plan.stackName}` });
  try {
    await callAws(
      'execute the change set',
      (o) =>
        cfn.send(
          new ExecuteChangeSetCommand({
            ChangeSetName: plan.changeSetId,
            StackName: plan.stackName,
            ClientRequestToken: `x-${plan.changeSetName}`.slice(0, 128),
            ...(options.disableRollback ? { DisableRollback: true } : {}),
          }),
          o,
        ),
      { ...poll, idempotent: false },
    );
  } catch (e) {
    // Throttling and Ctrl-C (checked before the request) guarantee nothing ran; anything else may have.
    const cause = (e as { cause?: unknown }).cause ?? e;
    if (!isAbortError(e) && !isThrottling(cause)) {
      progress.executed = 'unknown';
      throw withHint(
        e,
        `ExecuteChangeSet may have started the change set ${plan.changeSetName}: see ${watchHint(plan.stackName).replace(/^.*follow it with: /, '')} before running apply again`,
      );
    }
    throw e;
  }
  progress.executed = true;
  let followed;
  try {
    followed = await followStack(ctx, plan.stackName, stackId, watcher);
  } catch (e) {
    // After the execute, an error must say the change set already ran (Ctrl-C's message says so too).
    if (isAbortError(e) || !MfinfraError.is(e)) throw e;
    throw restate(
      e,
      `the change set ${plan.changeSetName} was executed, but mfinfra could not follow stack ${plan.stackName} to the end: ${e.message}`,
      {
        hint: `${watchHint(plan.stackName)}; once it has finished, \`mfinfra plan\` shows whether anything is left to deploy (the local state was not updated)`,
      },
    );
  }
  const { stack: final, events, eventsUnavailable } = followed;
  const status = final.StackStatus ?? 'UNKNOWN';
  if (!SUCCESS.has(status)) throw deployFailure(plan.stackName, status, watcher.failures, options.disableRollback === true);
  const protection = await syncTerminationProtection(ctx, plan.stackName, final, wantProtection);
  return {
    stackName: plan.stackName,
    stackId: final.StackId ?? plan.stackId,
    changeSetId: plan.changeSetId,
    status: 'deployed',
    finalStatus: status,
    outputs: outputsOf(final),
    events,
    ...(eventsUnavailable ? { eventsUnavailable } : {}),
    ...(final.ChangeSetId ? { lastChangeSetId: final.ChangeSetId } : {}),
    terminationProtection: protection,
  };
}

/** stack.terminationProtection → UpdateTerminationProtection, when the stack differs. */
async function syncTerminationProtection(
  ctx: DeployContext,
  stackName: string,
  stack: Stack | undefined,
  want: boolean,
): Promise<boolean | undefined> {
  if (!stack) return undefined;
  const current = stack.EnableTerminationProtection === true;
  if (current === want) return current;
  reportStep(ctx, {
    step: 'termination-protection',
    message: `${want ? 'enabling' : 'disabling'} termination protection on ${stackName}`,
  });
  await callAws(
    'update termination protection',
    (o) =>
      ctx.clients.cloudFormation.send(
        new UpdateTerminationProtectionCommand({ StackName: stack.StackId ?? stackName, EnableTerminationProtection: want }),
        o,
      ),
    { delayScale: ctx.delayScale },
  );
  return want;
}

function deployFailure(stackName: string, status: string, failures: StackEventLine[], rollbackDisabled: boolean): MfinfraError {
  const root = failures.find((f) => !f.isStack && f.reason && !/cancelled|canceled/i.test(f.reason)) ?? failures.find((f) => f.reason);
  const what = status.includes('ROLLBACK')
    ? 'failed and was rolled back'
    : rollbackDisabled
      ? 'failed (rollback disabled: the failed resources were kept)'
      : 'failed';
  const diagnostics: Diagnostic[] = failures.map((f) => ({
    code: ErrorCode.DEPLOY_FAILED,
    severity: 'error',
    message: `${f.logicalId} (${f.resourceType}) ${f.status}${f.reason ? `: ${f.reason}` : ''}`,
  }));
  const hint =
    status === 'ROLLBACK_COMPLETE'
      ? 'the stack was never created; fix the cause and run `mfinfra apply` again (it offers to delete the failed stack first)'
      : status === 'UPDATE_ROLLBACK_FAILED'
        ? 'the rollback failed too: fix the cause, then `mfinfra apply --continue-rollback`'
        : rollbackDisabled
          ? 'fix the cause and apply again, or roll back with: aws cloudformation rollback-stack --stack-name ' + stackName
          : `fix the cause and apply again; all events: aws cloudformation describe-stack-events --stack-name ${stackName}`;
  return fail.DEPLOY_FAILED(
    `the deployment of ${stackName} ${what}: ${status}${root ? `; first failure: ${root.logicalId} ${root.status}: ${root.reason}` : ''}`,
    { hint, diagnostics: diagnostics.length > 1 ? diagnostics : [] },
  );
}

/**
 * `--change-set NAME`: the change set `plan` left for review, checked to still be the current one:
 * CREATE_COMPLETE and AVAILABLE (not executed, not made obsolete), and its template equal to what the
 * manifest compiles to now.
 */
export async function planFromExistingChangeSet(compiled: CompileResult, ctx: DeployContext, name: string): Promise<PlanResult> {
  const cfn = ctx.clients.cloudFormation;
  const stackName = compiled.stackName;
  const poll = pollOptionsOf(ctx);
  let first;
  try {
    first = await callAws(
      'read the change set',
      (o) => cfn.send(new DescribeChangeSetCommand({ ChangeSetName: name, StackName: stackName, IncludePropertyValues: true }), o),
      poll,
    );
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    if (
      awsErrorName(cause) === 'ChangeSetNotFoundException' ||
      awsErrorName(cause) === 'ChangeSetNotFound' ||
      /does not exist/.test((cause as Error).message ?? '')
    ) {
      throw fail.CHANGE_SET_STALE(`change set ${name} was not found on stack ${stackName}`, {
        hint: 'it may have been executed, deleted, or made obsolete by another deploy; run `mfinfra plan` again',
      });
    }
    throw e;
  }
  if (first.Status !== 'CREATE_COMPLETE' || first.ExecutionStatus !== 'AVAILABLE') {
    throw fail.CHANGE_SET_STALE(
      `change set ${name} cannot be executed: status ${first.Status}, execution status ${first.ExecutionStatus}${first.StatusReason ? ` (${first.StatusReason})` : ''}`,
      { hint: 'run `mfinfra plan` again to make a current change set' },
    );
  }
  // `plan` records the template's digest in the Description; for other change sets compare the template itself.
  const recorded = digestFromDescription(first.Description);
  const current = recorded
    ? recorded === templateDigest(templateBodyOf(compiled))
    : sameTemplate(await getDeployedTemplate(cfn, stackName, { ...poll, changeSetName: first.ChangeSetId ?? name }), compiled.template);
  if (!current) {
    throw fail.CHANGE_SET_STALE(
      `change set ${name} no longer matches the manifest: its template differs from what ${stackName} compiles to now`,
      {
        hint: 'the manifest or a plugin changed since `mfinfra plan`; run `mfinfra plan` again and review the new change set',
      },
    );
  }
  const { description, changes } = await describeAllChanges(cfn, stackName, first.ChangeSetId ?? name, first, poll);
  const stackOut = await callAws(
    'describe the stack',
    (o) => cfn.send(new DescribeStacksCommand({ StackName: description.StackId ?? stackName }), o),
    poll,
  );
  const stack = stackOut.Stacks?.[0];
  const review = stack?.StackStatus === 'REVIEW_IN_PROGRESS';
  return {
    stackName,
    region: ctx.clients.region,
    previousStatus: stack?.StackStatus,
    changeSetType: review ? 'CREATE' : 'UPDATE',
    changeSetName: description.ChangeSetName ?? name,
    changeSetId: description.ChangeSetId,
    stackId: description.StackId,
    status: 'changes',
    statusReason: description.StatusReason,
    changes,
    oldTemplate: review ? undefined : await getDeployedTemplate(cfn, stackName, poll),
    newTemplate: compiled.template,
    createdAt: description.CreationTime,
    stack,
    placeholder: review,
  };
}

export { watchHint };

/** The same error with another hint. */
function withHint(e: unknown, hint: string): unknown {
  if (!MfinfraError.is(e)) return e;
  return restate(e, e.message, { hint, diagnostics: e.diagnostics });
}
