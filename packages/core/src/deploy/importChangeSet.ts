/**
 * The IMPORT change set: GetTemplateSummary names each resource type's identifier properties
 * (ResourceIdentifierSummaries), CreateChangeSet with `ChangeSetType: IMPORT` and
 * `ResourcesToImport`, wait, read every page (each change must be `Action: Import` of a resource
 * that was asked for, nothing else), the caller reviews the preview, ExecuteChangeSet, follow the
 * stack through IMPORT_IN_PROGRESS to IMPORT_COMPLETE (or IMPORT_ROLLBACK_COMPLETE: nothing was
 * imported). Whatever happens before the execute, the change set (and the REVIEW_IN_PROGRESS stack an
 * import into a new stack makes) is deleted.
 */
import {
  ExecuteChangeSetCommand,
  GetTemplateSummaryCommand,
  CreateChangeSetCommand,
  type Change,
  type ResourceToImport,
} from '@aws-sdk/client-cloudformation';
import type { CfnTemplate } from '../compile/template.js';
import { fail } from '../errors.js';
import type { PreviewModel } from '../preview/model.js';
import { awsErrorName, toDeployError } from './awsErrors.js';
import { CAPABILITIES, changeSetName, describeAllChanges, waitForChangeSet } from './changeSet.js';
import { StackEventWatcher } from './events.js';
import type { ImportPlan } from './types.js';
import { withLeftovers } from './leftovers.js';
import { tryDiscardPlan } from './plan.js';
import { abortedError, callAws, isAbortError, pollOptionsOf } from './poll.js';
import { withStackPolicy } from './stackPolicy.js';
import { describeStack, outputsOf } from './stackState.js';
import { minifyTemplate, stageTemplate } from './templateSource.js';
import type { DeployContext } from './context.js';
import { followStack, watchHint } from './waitForStack.js';
import { confirmImport, reportStep } from './report.js';

export type { ImportReview } from './types.js';

export interface ImportChangeSetInput {
  plan: ImportPlan;
  /** Whether the stack exists now (an import into a new stack creates it). */
  stackExists: boolean;
  tags?: Record<string, string>;
  roleArn?: string;
  notificationArns?: string[];
  templateBucket?: string;
  /** Logical id → plugin key, for the preview's grouping. */
  resourceOwners?: Record<string, string>;
  /** The template deployed now (the preview's "before"). */
  deployed?: object;
  /** The user said yes up front: CONFIRM_IMPORT is not asked (IMPORT_REVIEW is still sent). */
  yes?: boolean;
}

export interface ImportResult {
  stackName: string;
  stackId?: string;
  finalStatus: string;
  imported: string[];
  outputs: Record<string, string>;
  events: number;
  /** The import change set as it was previewed and confirmed. */
  preview: PreviewModel;
}

/** ResourcesToImport from the identifiers CloudFormation asks for (GetTemplateSummary) and what was read live. */
export function resourcesToImport(
  plan: ImportPlan,
  summaries: { ResourceType?: string; LogicalResourceIds?: string[]; ResourceIdentifiers?: string[] }[],
): ResourceToImport[] {
  return plan.imports.map((imp) => {
    const summary = summaries.find((s) => s.ResourceType === imp.resourceType && (s.LogicalResourceIds ?? []).includes(imp.logicalId));
    const keys = summary?.ResourceIdentifiers ?? [];
    if (!keys.length) {
      throw fail.IMPORT_REFUSED(
        `CloudFormation named no identifier for ${imp.logicalId} (${imp.resourceType}) in GetTemplateSummary: it cannot import it`,
        {
          hint: 'the resource type may not support import in this region, or the endpoint does not emulate imports (moto does not)',
        },
      );
    }
    const identifier: Record<string, string> = {};
    for (const key of keys) {
      const value = imp.identifier[key];
      if (value === undefined) {
        throw fail.IMPORT_REFUSED(
          `CloudFormation identifies ${imp.resourceType} by ${keys.join(' + ')}, but mfinfra read only ${Object.keys(imp.identifier).join(', ')} of ${imp.physicalId}`,
          {},
        );
      }
      identifier[key] = value;
    }
    return { ResourceType: imp.resourceType, LogicalResourceId: imp.logicalId, ResourceIdentifier: identifier };
  });
}

/** Check the change set does what was asked: each requested resource imported, nothing else touched. */
export function assertOnlyImports(plan: ImportPlan, changes: Change[]): void {
  const asked = new Set(plan.imports.map((i) => i.logicalId));
  const wrong = changes.filter((c) => c.ResourceChange?.Action !== 'Import' || !asked.has(c.ResourceChange?.LogicalResourceId ?? ''));
  const imported = new Set(
    changes.filter((c) => c.ResourceChange?.Action === 'Import').map((c) => c.ResourceChange?.LogicalResourceId ?? ''),
  );
  const missing = [...asked].filter((id) => !imported.has(id));
  if (wrong.length || missing.length) {
    const parts = [
      ...wrong.map((c) => `${c.ResourceChange?.Action ?? '?'} ${c.ResourceChange?.LogicalResourceId ?? '?'}`),
      ...missing.map((id) => `no Import of ${id}`),
    ];
    throw fail.IMPORT_REFUSED(
      `the import change set does not match what was asked: ${parts.join(', ')}; it was deleted and nothing was imported`,
      { hint: 'an import must only import; run `mfinfra plan` to see what else differs', kind: 'gate' },
    );
  }
}

/**
 * Create the IMPORT change set, have it reviewed (IMPORT_REVIEW, then CONFIRM_IMPORT to the context's
 * host unless `input.yes`), execute it and follow the stack. A no stops it (the change set is deleted).
 */
export async function importResources(ctx: DeployContext, input: ImportChangeSetInput): Promise<ImportResult> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const { plan } = input;
  const stackName = plan.stackName;
  const body = minifyTemplate(plan.template);
  const staged = await stageTemplate(
    ctx.clients.s3,
    {
      body,
      stackName,
      region: ctx.clients.region,
      bucket: input.templateBucket,
      endpoint: ctx.clients.s3Endpoint,
      accountId: ctx.clients.accountId,
    },
    poll,
  );
  const summary = await callAws(
    'read the import template summary',
    (o) => cfn.send(new GetTemplateSummaryCommand({ ...staged.source }), o),
    poll,
  );
  const toImport = resourcesToImport(plan, summary.ResourceIdentifierSummaries ?? []);
  const name = changeSetName(stackName, ctx.now?.() ?? new Date())
    .replace(/^mfinfra-/, 'mfinfra-import-')
    .slice(0, 128);
  reportStep(ctx, { step: 'create-change-set', message: `creating IMPORT change set ${name} (${toImport.length} to import)` });
  let created: { Id?: string; StackId?: string };
  try {
    created = await callAws(
      'create the import change set',
      (o) =>
        cfn.send(
          new CreateChangeSetCommand({
            StackName: stackName,
            ChangeSetName: name,
            ChangeSetType: 'IMPORT',
            ResourcesToImport: toImport,
            ...staged.source,
            Capabilities: CAPABILITIES,
            ...(input.tags && Object.keys(input.tags).length
              ? { Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })) }
              : {}),
            ...(input.roleArn ? { RoleARN: input.roleArn } : {}),
            ...(input.notificationArns?.length ? { NotificationARNs: input.notificationArns } : {}),
            Description: `mfinfra adopt: import ${toImport.map((r) => r.LogicalResourceId).join(', ')}`.slice(0, 1024),
            ClientToken: name,
          }),
          o,
        ),
      { ...poll, idempotent: false },
    );
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    if (awsErrorName(cause) === 'ValidationError') {
      throw fail.IMPORT_REFUSED(`CloudFormation refused the import: ${(cause as Error).message}`, {
        hint: 'nothing was imported; fix what CloudFormation names and run again',
        cause,
      });
    }
    throw toDeployError(e, 'create the import change set');
  }
  const changeSetId = created.Id ?? name;
  const target = { stackName, changeSetId, changeSetName: name, placeholder: !input.stackExists, stackId: created.StackId };
  let changes: Change[];
  let createdAt: Date | undefined;
  let preview: PreviewModel;
  try {
    const outcome = await waitForChangeSet(cfn, stackName, changeSetId, { ...poll, timing: ctx.timing?.changeSet });
    if (outcome.status !== 'ready') {
      throw fail.IMPORT_REFUSED(`CloudFormation could not create the import change set: ${outcome.reason}`, {
        hint: 'nothing was imported; the change set was deleted',
      });
    }
    const read = await describeAllChanges(cfn, stackName, changeSetId, outcome.description, poll);
    changes = read.changes;
    createdAt = read.description.CreationTime;
    assertOnlyImports(plan, changes);
    const { previewFromChangeSet } = await import('../preview/fromChangeSet.js');
    preview = previewFromChangeSet({
      stackName,
      changes,
      oldTemplate: input.deployed,
      newTemplate: plan.template,
      resourceOwners: input.resourceOwners,
      statusReason: read.description.StatusReason,
    });
    const go = await confirmImport(ctx, { plan, preview, changeSetName: name, changes }, input.yes === true);
    if (ctx.signal?.aborted) throw abortedError('interrupted');
    if (!go) throw abortedError('nothing was imported; the import change set was deleted');
  } catch (e) {
    const left = await tryDiscardPlan(ctx, target);
    if (isAbortError(e) && !left.length) {
      throw abortedError(
        /nothing was imported/.test((e as Error).message)
          ? (e as Error).message
          : `stopped; nothing was imported: the change set ${name} was deleted${target.placeholder ? ' with its REVIEW_IN_PROGRESS stack' : ''}`,
      );
    }
    throw withLeftovers(e, left);
  }
  const stackId = created.StackId ?? stackName;
  const watcher = new StackEventWatcher(cfn, stackId, createdAt, changes.length, poll);
  if (!createdAt) await watcher.prime();
  return withStackPolicy(ctx, { stackName, exists: input.stackExists }, plan.template as CfnTemplate, [], async () => {
    reportStep(ctx, { step: 'execute', message: `executing IMPORT change set ${name} on ${stackName}` });
    await callAws(
      'execute the import change set',
      (o) =>
        cfn.send(
          new ExecuteChangeSetCommand({ ChangeSetName: changeSetId, StackName: stackName, ClientRequestToken: `x-${name}`.slice(0, 128) }),
          o,
        ),
      { ...poll, idempotent: false },
    );
    const followed = await followStack(ctx, stackName, stackId, watcher);
    const status = followed.stack.StackStatus ?? 'UNKNOWN';
    if (status !== 'IMPORT_COMPLETE') {
      const first = watcher.failures.find((f) => !f.isStack && f.reason) ?? watcher.failures.find((f) => f.reason);
      throw fail.DEPLOY_FAILED(
        `the import into ${stackName} failed: ${status}${first ? `; first failure: ${first.logicalId} ${first.status}: ${first.reason}` : ''}`,
        {
          hint: status.startsWith('IMPORT_ROLLBACK_COMPLETE')
            ? 'CloudFormation rolled the import back: the resources are outside the stack again, unchanged; fix the cause and run again'
            : watchHint(stackName),
        },
      );
    }
    const stack = await describeStack(cfn, stackId, poll);
    return {
      stackName,
      stackId: followed.stack.StackId ?? stackId,
      finalStatus: status,
      imported: plan.imports.map((i) => i.logicalId),
      outputs: outputsOf(stack ?? followed.stack),
      events: followed.events,
      preview,
    };
  });
}
