/**
 * `plan`: compile result → a change set CloudFormation has computed, read in full, left for review.
 * CREATE for a new stack (or a REVIEW_IN_PROGRESS placeholder), UPDATE otherwise. "No changes"
 * (either of AWS's reasons, or an emulator's empty answer) deletes the change set; a FAILED change
 * set is deleted and its reason raised.
 */
import { DeleteStackCommand, GetTemplateCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { CompileResult } from '../compile/compile.js';
import { fail } from '../errors.js';
import { changeSetName as makeChangeSetName, createChangeSet, deleteChangeSet, describeAllChanges, waitForChangeSet } from './changeSet.js';
import { abortedError, callAws, isAbortError, type PollOptions, pollOptionsOf } from './poll.js';
import { leftoverError, withLeftovers, type Leftover } from './leftovers.js';
import { prepareStack } from './prepareStack.js';
import { assertTemplateSize, MANAGED_BUCKET_EXPIRY_DAYS, minifyTemplate, stageTemplate, type StagedTemplate } from './templateSource.js';
import type { PlanOptions, PlanResult } from './types.js';
import type { DeployContext } from './context.js';
import { reportStep, retryReporter } from './report.js';

/** The deployed template (or a change set's), parsed; undefined when it cannot be read as JSON / YAML. */
export async function getDeployedTemplate(
  cfn: CloudFormationClient,
  stackName: string,
  options: PollOptions & { changeSetName?: string } = {},
): Promise<object | undefined> {
  const out = await callAws(
    'read the deployed template',
    (o) =>
      cfn.send(
        new GetTemplateCommand({
          StackName: stackName,
          TemplateStage: 'Original',
          ...(options.changeSetName ? { ChangeSetName: options.changeSetName } : {}),
        }),
        o,
      ),
    options,
  );
  return parseTemplateBody(out.TemplateBody);
}

export async function parseTemplateBody(body: string | undefined): Promise<object | undefined> {
  if (!body) return undefined;
  try {
    return JSON.parse(body) as object;
  } catch {
    try {
      const { parse } = await import('yaml');
      const value: unknown = parse(body, { logLevel: 'silent', customTags: (tags) => tags });
      return value && typeof value === 'object' ? (value as object) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Deep equality of two templates (key order ignored). */
export function sameTemplate(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(normalise(a), normalise(b));
}

function normalise(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * The template text sent to CloudFormation: minified JSON (JSON always: emulators mis-read YAML
 * short forms; minified so that more templates fit the 51,200 bytes CloudFormation takes inline).
 */
export function templateBodyOf(compiled: CompileResult): string {
  return minifyTemplate(compiled.template);
}

/** What `plan`/`apply` say when the template went through S3. */
function uploadMessage(body: string, staged: StagedTemplate): string {
  const size = `${Buffer.byteLength(body, 'utf8').toLocaleString('en-US')} bytes minified, over the 51,200 CloudFormation takes inline`;
  if (!staged.managedBucket) {
    return `uploaded the template (${size}) to ${staged.uploadedTo}${staged.createdBucket ? ` (created the private, encrypted bucket ${staged.createdBucket})` : ''}`;
  }
  return (
    `uploaded the template (${size}) to mfinfra's managed staging bucket: ${staged.uploadedTo}` +
    (staged.createdBucket
      ? ` (created it for this account and region: private, encrypted, TLS-only, staged templates deleted after ${MANAGED_BUCKET_EXPIRY_DAYS} days; name your own with stack.templateBucket or --template-bucket)`
      : '')
  );
}

/** SHA-256 of the template text, recorded in the change set's Description so `apply --change-set` can tell it is current. */
export function templateDigest(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

const DIGEST_IN_DESCRIPTION = /template sha256:([0-9a-f]{64})/;

/** The digest a change set made by `plan` carries in its Description, if any. */
export function digestFromDescription(description: string | undefined): string | undefined {
  return DIGEST_IN_DESCRIPTION.exec(description ?? '')?.[1];
}

/** Create a change set for the compiled manifest and read it in full. */
export async function createPlan(compiled: CompileResult, ctx: DeployContext, options: PlanOptions = {}): Promise<PlanResult> {
  const { clients } = ctx;
  const cfn = clients.cloudFormation;
  const stackName = compiled.stackName;
  const stackSettings = compiled.manifest.stack;
  const bucket = options.templateBucket ?? stackSettings.templateBucket;
  // Before any AWS call: templates CloudFormation cannot take.
  const body = templateBodyOf(compiled);
  assertTemplateSize(body, stackName);
  const poll = pollOptionsOf(ctx);

  const prepared = await prepareStack(ctx, stackName, options);
  const changeSetType = prepared.condition === 'none' || prepared.condition === 'review' ? 'CREATE' : 'UPDATE';
  const name = makeChangeSetName(stackName, ctx.now?.() ?? new Date());

  const staged = await stageTemplate(
    clients.s3,
    { body, stackName, region: clients.region, bucket, endpoint: clients.s3Endpoint, accountId: clients.accountId },
    poll,
  );
  if (staged.uploadedTo) reportStep(ctx, { step: 'upload-template', message: uploadMessage(body, staged) });
  reportStep(ctx, { step: 'create-change-set', message: `creating ${changeSetType} change set ${name}` });

  const base = {
    stackName,
    region: clients.region,
    previousStatus: prepared.previousStatus,
    changeSetType,
    changeSetName: name,
    newTemplate: compiled.template,
    templateUploadedTo: staged.uploadedTo,
    stack: prepared.stack,
    recovered: prepared.recovered,
  } as const;
  const created = await createChangeSet(
    cfn,
    {
      stackName,
      changeSetName: name,
      changeSetType,
      template: staged.source,
      tags: stackSettings.tags ?? {},
      notificationArns: options.notificationArns ?? stackSettings.notificationArns,
      roleArn: options.roleArn ?? stackSettings.roleArn,
      description: `mfinfra plan (${
        compiled.plugins
          .map((p) => p.key)
          .join(', ')
          .slice(0, 800) || 'no plugins'
      }); template sha256:${templateDigest(body)}`,
    },
    poll,
  );
  const placeholder = changeSetType === 'CREATE';
  if ('noChanges' in created) {
    return {
      ...base,
      status: 'no-changes',
      noChangeReason: created.noChanges,
      changes: [],
      placeholder: false,
      stackId: prepared.stack?.StackId,
    };
  }
  const stackId = created.stackId ?? prepared.stack?.StackId;

  const target = { stackName, changeSetId: created.id, changeSetName: name, placeholder, stackId };
  try {
    return await readChangeSet(compiled, ctx, { ...base, placeholder, stackId, createdId: created.id });
  } catch (e) {
    // Ctrl-C, a timeout or a failure while CloudFormation computes or mfinfra reads the change set:
    // leave nothing behind (or say exactly what is left).
    const left = await tryDiscardPlan(ctx, target);
    if (isAbortError(e) && !left.length) {
      throw abortedError(
        `stopped; nothing was deployed: the change set ${name} was deleted${placeholder ? ' with its REVIEW_IN_PROGRESS placeholder stack' : ''}`,
      );
    }
    throw withLeftovers(isAbortError(e) ? abortedError('stopped; nothing was deployed') : e, left);
  }
}

type PlanBase = Omit<PlanResult, 'status' | 'changes' | 'changeSetId' | 'statusReason' | 'oldTemplate' | 'createdAt' | 'noChangeReason'>;

/** Wait for the change set CloudFormation computes, and read it in full (the caller cleans up on a throw). */
async function readChangeSet(compiled: CompileResult, ctx: DeployContext, input: PlanBase & { createdId: string }): Promise<PlanResult> {
  const { createdId, ...base } = input;
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const { stackName, changeSetType, stackId } = base;
  const outcome = await waitForChangeSet(cfn, stackName, createdId, { ...poll, timing: ctx.timing?.changeSet });
  if (outcome.status === 'failed') {
    // The caller deletes the failed change set (and placeholder).
    throw fail.CHANGE_SET_FAILED(`CloudFormation could not create the change set for ${stackName}: ${outcome.reason}`, {
      hint: /EarlyValidation/.test(outcome.reason)
        ? `details: aws cloudformation describe-events --change-set-name ${createdId} --filters FailedEvents=true`
        : 'fix what the reason names in the manifest (or the plugin that produced it) and plan again; the change set was deleted',
    });
  }
  if (outcome.status === 'no-changes') {
    await deleteChangeSet(cfn, stackName, createdId, poll);
    return { ...base, status: 'no-changes', noChangeReason: outcome.reason, changes: [], placeholder: false };
  }

  const { description, changes } = await describeAllChanges(cfn, stackName, createdId, outcome.description, poll);
  const oldTemplate = changeSetType === 'UPDATE' ? await getDeployedTemplate(cfn, stackName, poll) : undefined;
  // AWS reports "no changes" as FAILED (handled above). An emulator may instead complete a change set
  // with no changes; an empty list is still real work when the template differs (e.g. Outputs only).
  if (changes.length === 0 && changeSetType === 'UPDATE' && oldTemplate && sameTemplate(oldTemplate, compiled.template)) {
    await deleteChangeSet(cfn, stackName, createdId, poll);
    return {
      ...base,
      status: 'no-changes',
      noChangeReason: 'the change set has no changes and the template is unchanged',
      changes: [],
      placeholder: false,
    };
  }
  return {
    ...base,
    status: 'changes',
    changeSetId: description.ChangeSetId ?? createdId,
    stackId: description.StackId ?? stackId,
    statusReason: description.StatusReason,
    changes,
    oldTemplate,
    createdAt: description.CreationTime,
  };
}

/** What {@link discardPlan} takes: a change set this run made, and whether its stack is a placeholder it made. */
export interface DiscardTarget {
  stackName: string;
  changeSetId?: string;
  changeSetName?: string;
  placeholder: boolean;
  stackId?: string;
}

/**
 * Delete a change set left for review, and the REVIEW_IN_PROGRESS placeholder stack a CREATE change
 * set made (a placeholder holds no resources). Throws, naming what is left, when it cannot.
 */
export async function discardPlan(ctx: DeployContext, plan: DiscardTarget): Promise<void> {
  const left = await tryDiscardPlan(ctx, plan);
  if (left.length) throw leftoverError(left);
}

/**
 * {@link discardPlan} that never throws: it returns what could not be deleted (empty: all clean).
 * Runs after Ctrl-C too (cleanup is not interrupted; each call is bounded by the request timeout).
 * When the change set cannot be deleted, the placeholder is still deleted (that removes its change
 * sets with it).
 */
export async function tryDiscardPlan(ctx: DeployContext, plan: DiscardTarget): Promise<Leftover[]> {
  const cfn = ctx.clients.cloudFormation;
  const poll = { delayScale: ctx.delayScale, onRetry: retryReporter(ctx), retryBudgetMs: ctx.retryBudgetMs };
  const left: Leftover[] = [];
  const id = plan.changeSetId ?? plan.changeSetName;
  let changeSetLeft: Leftover | undefined;
  if (id) {
    try {
      await deleteChangeSet(cfn, plan.stackName, id, poll);
    } catch (e) {
      changeSetLeft = {
        what: `change set ${plan.changeSetName ?? id} on stack ${plan.stackName}, still executable`,
        remove: `aws cloudformation delete-change-set --stack-name ${plan.stackName} --change-set-name ${id}`,
        because: reasonOf(e),
      };
    }
  }
  if (plan.placeholder) {
    reportStep(ctx, { step: 'cleanup', message: `deleting the REVIEW_IN_PROGRESS placeholder of ${plan.stackName}` });
    try {
      await callAws(
        'delete the placeholder stack',
        (o) => cfn.send(new DeleteStackCommand({ StackName: plan.stackId ?? plan.stackName }), o),
        { ...poll, idempotent: false },
      );
      changeSetLeft = undefined; // deleting the placeholder deletes its change sets
    } catch (e) {
      left.push({
        what: `the REVIEW_IN_PROGRESS placeholder stack ${plan.stackName}`,
        remove: `aws cloudformation delete-stack --stack-name ${plan.stackName}`,
        because: reasonOf(e),
      });
    }
  }
  if (changeSetLeft) left.unshift(changeSetLeft);
  return left;
}

function reasonOf(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}
