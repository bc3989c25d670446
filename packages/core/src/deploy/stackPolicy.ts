/**
 * A server-side guard for data: a stack policy that denies `Update:Replace` and `Update:Delete` on
 * every stateful resource of the template (preview/stateful.ts), so an update made outside mfinfra
 * (console, `aws cloudformation deploy`) cannot replace or delete them either. mfinfra sets it after
 * every deploy. `--allow-replace ID` lifts the deny for those resources just before the change set
 * executes and puts the full policy back when the operation ends, however it ends.
 *
 * A stack policy guards updates only; deleting the stack is guarded by DeletionPolicy (Retain /
 * Snapshot) and termination protection.
 */
import { GetStackPolicyCommand, SetStackPolicyCommand } from '@aws-sdk/client-cloudformation';
import type { CfnTemplate } from '../compile/template.js';
import { isStateful } from '../preview/stateful.js';
import { callAws, pollOptionsOf } from './poll.js';
import type { DeployContext } from './context.js';

export interface StackPolicyDocument {
  Statement: { Effect: 'Allow' | 'Deny'; Action: string | string[]; Principal: '*'; Resource: string | string[] }[];
}

/** Logical ids of the template's stateful resources, sorted. */
export function statefulResourceIds(template: CfnTemplate): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => isStateful((r as { Type: string }).Type))
    .map(([id]) => id)
    .sort();
}

/** Allow every update; deny replacing or deleting the stateful resources not in `allowReplace`. */
export function stackPolicyFor(template: CfnTemplate, allowReplace: readonly string[] = []): StackPolicyDocument {
  const allowed = new Set(allowReplace);
  const guarded = statefulResourceIds(template).filter((id) => !allowed.has(id));
  const statement: StackPolicyDocument['Statement'] = [{ Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' }];
  if (guarded.length) {
    statement.push({
      Effect: 'Deny',
      Action: ['Update:Replace', 'Update:Delete'],
      Principal: '*',
      Resource: guarded.map((id) => `LogicalResourceId/${id}`),
    });
  }
  return { Statement: statement };
}

async function setPolicy(ctx: DeployContext, stackName: string, policy: StackPolicyDocument, withSignal: boolean): Promise<void> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  await callAws(
    'set the stack policy',
    (o) => cfn.send(new SetStackPolicyCommand({ StackName: stackName, StackPolicyBody: JSON.stringify(policy) }), o),
    {
      ...poll,
      // Putting the guard back is protective: it must go out even after Ctrl-C.
      ...(withSignal ? {} : { signal: undefined }),
      idempotent: true,
    },
  );
}

/** The stack policy in place now (undefined: none). */
export async function getStackPolicy(ctx: DeployContext, stackName: string): Promise<StackPolicyDocument | undefined> {
  const cfn = ctx.clients.cloudFormation;
  const out = await callAws(
    'read the stack policy',
    (o) => cfn.send(new GetStackPolicyCommand({ StackName: stackName }), o),
    pollOptionsOf(ctx),
  );
  return out.StackPolicyBody ? (JSON.parse(out.StackPolicyBody) as StackPolicyDocument) : undefined;
}

/**
 * Run `execute` (ExecuteChangeSet and the wait) under the stack policy: for an existing stack with
 * `allowReplace`, the deny is lifted for those ids first; afterwards (success or failure) the full
 * policy for the new template is set on the stack, if the stack exists.
 */
export async function withStackPolicy<T>(
  ctx: DeployContext,
  stack: { stackName: string; exists: boolean },
  template: CfnTemplate,
  allowReplace: readonly string[],
  execute: () => Promise<T>,
): Promise<T> {
  const lifted = allowReplace.length > 0 && stack.exists;
  if (lifted) await setPolicy(ctx, stack.stackName, stackPolicyFor(template, allowReplace), true);
  let result: T;
  try {
    result = await execute();
  } catch (e) {
    // The stack may exist in a failed state; put the guard back if it can be, and report the deploy's error.
    if (stack.exists || lifted) await setPolicy(ctx, stack.stackName, stackPolicyFor(template), false).catch(() => undefined);
    throw e;
  }
  await setPolicy(ctx, stack.stackName, stackPolicyFor(template), false);
  return result;
}
