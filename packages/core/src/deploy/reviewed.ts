/**
 * Change sets an earlier `mfinfra plan` left for review on a stack: a plain `apply` executes the one
 * whose template digest matches what the manifest compiles to now (the change set that was reviewed),
 * and deletes the stale ones this tool made, instead of making another beside them.
 */
import { DescribeChangeSetCommand, ListChangeSetsCommand, type ChangeSetSummary } from '@aws-sdk/client-cloudformation';
import type { CompileResult } from '../compile/compile.js';
import { isStackMissing } from './awsErrors.js';
import { changeSetName, deleteChangeSet } from './changeSet.js';
import type { Leftover } from './leftovers.js';
import { digestFromDescription, templateBodyOf, templateDigest } from './plan.js';
import { callAws, pollOptionsOf } from './poll.js';
import type { DeployContext } from './context.js';
import { reportStep } from './report.js';

export interface ReviewedChangeSets {
  /** The reviewed change set to execute (its id), when one matches the manifest. */
  reuse?: { id: string; name: string };
  /** Stale change sets of this tool that were deleted. */
  deleted: string[];
  /** Stale change sets that could not be deleted. */
  left: Leftover[];
}

/** The prefix every change set mfinfra makes for this stack starts with. */
function prefixOf(stackName: string): string {
  return changeSetName(stackName, new Date(0)).replace(/\d+$/, '');
}

/** Find the reviewed change set to reuse (`reuse: true`), and delete the stale ones this tool made. */
export async function settleReviewedChangeSets(
  compiled: CompileResult,
  ctx: DeployContext,
  options: { reuse: boolean },
): Promise<ReviewedChangeSets> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const stackName = compiled.stackName;
  const prefix = prefixOf(stackName);
  const summaries: ChangeSetSummary[] = [];
  try {
    let token: string | undefined;
    do {
      const out = await callAws(
        'list the change sets',
        (o) => cfn.send(new ListChangeSetsCommand({ StackName: stackName, NextToken: token }), o),
        poll,
      );
      summaries.push(...(out?.Summaries ?? []));
      token = out?.NextToken;
    } while (token);
  } catch (e) {
    if (isStackMissing((e as { cause?: unknown }).cause ?? e)) return { deleted: [], left: [] };
    throw e;
  }
  const current = templateDigest(templateBodyOf(compiled));
  const result: ReviewedChangeSets = { deleted: [], left: [] };
  for (const s of summaries) {
    if (!s.ChangeSetName?.startsWith(prefix) || (s.StackName && s.StackName !== stackName)) continue;
    if (s.Status !== 'CREATE_COMPLETE' || s.ExecutionStatus !== 'AVAILABLE') continue;
    const id = s.ChangeSetId ?? s.ChangeSetName;
    let description = s.Description;
    if (description === undefined) {
      const d = await callAws(
        'read the change set',
        (o) => cfn.send(new DescribeChangeSetCommand({ ChangeSetName: id, StackName: stackName }), o),
        poll,
      );
      description = d?.Description;
    }
    // Only change sets this tool made (its Description carries the template digest).
    const digest = digestFromDescription(description);
    if (!digest || !description?.startsWith('mfinfra plan')) continue;
    if (digest === current) {
      if (options.reuse && !result.reuse) {
        result.reuse = { id, name: s.ChangeSetName };
        continue;
      }
      if (!options.reuse) continue; // a plan leaves a matching change set for whoever reviews it
    }
    reportStep(ctx, {
      step: 'cleanup',
      message: `deleting change set ${s.ChangeSetName}, left by an earlier mfinfra plan of a different template`,
    });
    try {
      await deleteChangeSet(cfn, stackName, id, poll);
      result.deleted.push(s.ChangeSetName);
    } catch (e) {
      result.left.push({
        what: `stale change set ${s.ChangeSetName} on stack ${stackName}, still executable`,
        remove: `aws cloudformation delete-change-set --stack-name ${stackName} --change-set-name ${id}`,
        because: (e as Error).message,
      });
    }
  }
  return result;
}
