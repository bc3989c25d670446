/**
 * The migration's steps on the old stack (a deployment of the official Metaflow template):
 * - `retain`: an update of the old stack that only sets DeletionPolicy / UpdateReplacePolicy Retain on
 *   its stateful resources (Snapshot on the RDS instance), previewed as a change set; any other change
 *   in that change set (a Remove, a replacement, a property change) refuses it;
 * - `snapshot`: a manual snapshot of the RDS instance, waited for until available (it outlives the
 *   instance, and it is what the metadata's run history is restored from);
 * - `delete-old`: the old stack is deleted only when every resource in it that holds data is retained,
 *   or (the RDS instance) snapshotted with an available manual snapshot.
 */
import {
  CreateChangeSetCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  type Change,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { CreateDBSnapshotCommand, DescribeDBSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import { fail } from '../errors.js';
import { isStateful } from '../preview/stateful.js';
import { awsErrorName, toDeployError } from './awsErrors.js';
import { CAPABILITIES, changeSetName, describeAllChanges, waitForChangeSet } from './changeSet.js';
import type { DestroyPlan } from './destroy.js';
import { StackEventWatcher } from './events.js';
import { tryDiscardPlan } from './plan.js';
import { callAws, pollOptionsOf, pollUntil, type PollOptions } from './poll.js';
import { stageTemplate } from './templateSource.js';
import type { DeployContext } from './context.js';
import { followStack } from './waitForStack.js';
import { withLeftovers } from './leftovers.js';
import { reportStep } from './report.js';

export type KeepPolicy = 'Retain' | 'Snapshot';

/** The old template's text with these DeletionPolicy / UpdateReplacePolicy values; comments and YAML tags kept. */
export async function withPolicies(
  body: string,
  policies: Record<string, KeepPolicy>,
): Promise<{ body: string; changed: string[]; format: 'json' | 'yaml' }> {
  const changed: string[] = [];
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) {
    const template = JSON.parse(body) as { Resources?: Record<string, Record<string, unknown>> };
    for (const [id, policy] of Object.entries(policies)) {
      const r = template.Resources?.[id];
      if (!r) continue;
      if (r.DeletionPolicy !== policy || r.UpdateReplacePolicy !== policy) changed.push(id);
      r.DeletionPolicy = policy;
      r.UpdateReplacePolicy = policy;
    }
    return { body: JSON.stringify(template), changed, format: 'json' };
  }
  const { parseDocument } = await import('yaml');
  // CloudFormation's short forms (!Ref, !Sub ...) stay as they are: unknown tags are kept, not resolved.
  const doc = parseDocument(body, { customTags: (tags) => tags, logLevel: 'silent' });
  if (doc.errors.length) {
    throw fail.MIGRATION_STEP(`the old stack's template is not valid YAML: ${doc.errors[0]!.message}`, {});
  }
  for (const [id, policy] of Object.entries(policies)) {
    if (!doc.hasIn(['Resources', id])) continue;
    if (doc.getIn(['Resources', id, 'DeletionPolicy']) !== policy || doc.getIn(['Resources', id, 'UpdateReplacePolicy']) !== policy) {
      changed.push(id);
    }
    doc.setIn(['Resources', id, 'DeletionPolicy'], policy);
    doc.setIn(['Resources', id, 'UpdateReplacePolicy'], policy);
  }
  return { body: String(doc), changed, format: 'yaml' };
}

export async function originalTemplateBody(cfn: CloudFormationClient, stackName: string, options: PollOptions): Promise<string> {
  const out = await callAws(
    'read the old stack template',
    (o) => cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }), o),
    options,
  );
  if (!out.TemplateBody) {
    throw fail.MIGRATION_STEP(`stack ${stackName} returned no template`, {});
  }
  return out.TemplateBody;
}

/**
 * Every change must only set a policy: a Modify of a resource whose policy was changed, without
 * replacement, with nothing but DeletionPolicy / UpdateReplacePolicy in scope. Anything else (an Add
 * or Remove, a Modify of another resource, which drift or a changed dynamic reference can cause)
 * refuses the update.
 */
export function assertOnlyPolicyChanges(stackName: string, changes: Change[], changedIds: readonly string[]): void {
  const expected = new Set(changedIds);
  const bad = changes.filter((c) => {
    const rc = c.ResourceChange;
    if (!rc || rc.Action !== 'Modify' || !expected.has(rc.LogicalResourceId ?? '')) return true;
    if (rc.Replacement === 'True' || rc.Replacement === 'Conditional') return true;
    const scope = rc.Scope ?? [];
    return scope.some((s) => s !== 'DeletionPolicy' && s !== 'UpdateReplacePolicy');
  });
  if (bad.length) {
    throw fail.MIGRATION_STEP(
      `the retain update of ${stackName} would do more than set DeletionPolicy: ${bad
        .map(
          (c) =>
            `${c.ResourceChange?.Action ?? '?'} ${c.ResourceChange?.LogicalResourceId ?? '?'} (${(c.ResourceChange?.Scope ?? []).join(', ') || 'no scope given'}${c.ResourceChange?.Replacement === 'True' ? ', replacement' : ''})`,
        )
        .join('; ')}; it was deleted and nothing changed`,
      {
        hint: 'the old stack changed since its template was read, or drifted; run the step again, and if it persists, set the policies by hand (docs/migrate.md)',
        kind: 'gate',
      },
    );
  }
}

export interface RetainUpdate {
  changeSetId: string;
  changeSetName: string;
  changes: Change[];
  createdAt?: Date;
  stackId: string;
  /** The template the update leaves on the old stack (parsed), for the preview. */
  body: string;
}

/** Create (and read) the old stack's retain update; `undefined` when every policy is already set. */
export async function planRetainUpdate(
  ctx: DeployContext,
  stack: Stack,
  policies: Record<string, KeepPolicy>,
): Promise<RetainUpdate | undefined> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const stackName = stack.StackName!;
  const original = await originalTemplateBody(cfn, stack.StackId ?? stackName, poll);
  const { body, changed } = await withPolicies(original, policies);
  if (!changed.length) return undefined;
  const staged = await stageTemplate(
    ctx.clients.s3,
    { body, stackName, region: ctx.clients.region, endpoint: ctx.clients.s3Endpoint, accountId: ctx.clients.accountId },
    poll,
  );
  const name = changeSetName(stackName, ctx.now?.() ?? new Date())
    .replace(/^mfinfra-/, 'mfinfra-retain-')
    .slice(0, 128);
  reportStep(ctx, {
    step: 'create-change-set',
    message: `creating UPDATE change set ${name} (DeletionPolicy on ${changed.join(', ')})`,
  });
  let created;
  try {
    created = await callAws(
      'create the retain change set',
      (o) =>
        cfn.send(
          new CreateChangeSetCommand({
            StackName: stackName,
            ChangeSetName: name,
            ChangeSetType: 'UPDATE',
            ...staged.source,
            // The old stack's parameters stay as they are.
            Parameters: (stack.Parameters ?? []).map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
            Capabilities: CAPABILITIES,
            Description: `mfinfra migrate: keep ${changed.join(', ')} when the stack is deleted`.slice(0, 1024),
            ClientToken: name,
          }),
          o,
        ),
      { ...poll, idempotent: false },
    );
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    if (awsErrorName(cause) === 'ValidationError') {
      throw fail.MIGRATION_STEP(`CloudFormation refused the retain update of ${stackName}: ${(cause as Error).message}`, {
        cause,
      });
    }
    throw toDeployError(e, 'create the retain change set');
  }
  const target = { stackName, changeSetId: created.Id ?? name, changeSetName: name, placeholder: false, stackId: stack.StackId };
  try {
    const outcome = await waitForChangeSet(cfn, stackName, target.changeSetId, { ...poll, timing: ctx.timing?.changeSet });
    if (outcome.status !== 'ready') {
      throw fail.MIGRATION_STEP(`CloudFormation could not create the retain update of ${stackName}: ${outcome.reason}`, {
        hint: 'nothing changed; the change set was deleted',
      });
    }
    const { description, changes } = await describeAllChanges(cfn, stackName, target.changeSetId, outcome.description, poll);
    assertOnlyPolicyChanges(stackName, changes, changed);
    return {
      changeSetId: description.ChangeSetId ?? target.changeSetId,
      changeSetName: name,
      changes,
      createdAt: description.CreationTime,
      stackId: stack.StackId ?? stackName,
      body,
    };
  } catch (e) {
    throw withLeftovers(e, await tryDiscardPlan(ctx, target));
  }
}

/** Delete a retain update that was not approved. */
export async function discardRetainUpdate(ctx: DeployContext, stackName: string, update: RetainUpdate): Promise<void> {
  const left = await tryDiscardPlan(ctx, {
    stackName,
    changeSetId: update.changeSetId,
    changeSetName: update.changeSetName,
    placeholder: false,
  });
  if (left.length) throw withLeftovers(fail.CLEANUP_FAILED('the retain change set could not be deleted', {}), left);
}

export async function executeRetainUpdate(ctx: DeployContext, stackName: string, update: RetainUpdate): Promise<string> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const watcher = new StackEventWatcher(cfn, update.stackId, update.createdAt, update.changes.length, poll);
  if (!update.createdAt) await watcher.prime();
  reportStep(ctx, { step: 'execute', message: `executing change set ${update.changeSetName} on ${stackName}` });
  await callAws(
    'execute the retain change set',
    (o) =>
      cfn.send(
        new ExecuteChangeSetCommand({
          ChangeSetName: update.changeSetId,
          StackName: update.stackId,
          ClientRequestToken: `x-${update.changeSetName}`.slice(0, 128),
        }),
        o,
      ),
    { ...poll, idempotent: false },
  );
  const { stack } = await followStack(ctx, stackName, update.stackId, watcher);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (status !== 'UPDATE_COMPLETE') {
    throw fail.DEPLOY_FAILED(`the retain update of ${stackName} ended in ${status}`, {
      hint: 'nothing was deleted; see the stack events, fix the cause and run the step again',
    });
  }
  return status;
}

/** A manual snapshot of the instance, waited for until available (an existing available one of that name is reused). */
export async function snapshotDatabase(
  rds: RDSClient,
  dbInstance: string,
  snapshotId: string,
  options: PollOptions & { timeoutMs?: number } = {},
): Promise<string> {
  const describe = async () => {
    try {
      return (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshotId }))).DBSnapshots?.[0];
    } catch (e) {
      if (awsErrorName(e) === 'DBSnapshotNotFoundFault' || awsErrorName(e) === 'DBSnapshotNotFound') return undefined;
      throw e;
    }
  };
  const existing = await callAws('read the snapshot', describe, options);
  if (!existing) {
    await callAws(
      'create the database snapshot',
      () =>
        rds.send(
          new CreateDBSnapshotCommand({
            DBInstanceIdentifier: dbInstance,
            DBSnapshotIdentifier: snapshotId,
            Tags: [{ Key: 'created-by', Value: 'mfinfra migrate' }],
          }),
        ),
      { ...options, idempotent: false },
    );
  }
  return pollUntil(
    `wait for snapshot ${snapshotId}`,
    { initialMs: 5_000, maxMs: 30_000, factor: 1.5, timeoutMs: options.timeoutMs ?? 2 * 60 * 60_000 },
    async () => {
      const s = await describe();
      if (s?.Status === 'available') return snapshotId;
      if (s && s.Status !== 'creating') {
        throw fail.MIGRATION_STEP(`snapshot ${snapshotId} of ${dbInstance} is ${s.Status}, not available`, {
          hint: 'nothing was deleted; look at the snapshot in the RDS console, delete it if it failed, and run the step again',
        });
      }
      return undefined;
    },
    options,
  );
}

/**
 * Refuse to delete the old stack while anything in it that holds data would go: every stateful
 * resource must be retained, or be the RDS instance with an available manual snapshot.
 */
export function assertKeepsData(plan: DestroyPlan, snapshotted: { dbLogicalId?: string; snapshotId?: string }): void {
  const lost = plan.resources.filter(
    (r) =>
      isStateful(r.resourceType) &&
      r.outcome !== 'retain' &&
      !(r.resourceType === 'AWS::RDS::DBInstance' && r.logicalId === snapshotted.dbLogicalId && snapshotted.snapshotId),
  );
  if (lost.length) {
    throw fail.MIGRATION_STEP(
      `deleting ${plan.stackName} would delete what holds data: ${lost.map((r) => `${r.logicalId} (${r.resourceType}, DeletionPolicy ${r.deletionPolicy})`).join(', ')}; nothing was deleted`,
      {
        hint: 'run the retain step first (mfinfra migrate --step retain), and the snapshot step for the database',
        kind: 'gate',
      },
    );
  }
}
