/**
 * Change sets: create one, wait for it with our own poll loop, read every page of it, recognise
 * "no changes", delete it.
 */
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type Capability,
  type Change,
  type CloudFormationClient,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { fail } from '../errors.js';
import { awsErrorName, toDeployError } from './awsErrors.js';
import { callAws, CHANGE_SET_POLL, pollUntil, type PollOptions, type PollTiming } from './poll.js';
import type { TemplateSource } from './templateSource.js';

/** Every capability a compiled template may need; acknowledged up front as CDK and rain do. */
export const CAPABILITIES: Capability[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

/**
 * What CloudFormation (and emulators) say when a change set would change nothing. AWS's own two come
 * as a FAILED change set's StatusReason; moto may raise the second as a ValidationError instead.
 */
const NO_CHANGE_REASONS = ["The submitted information didn't contain changes.", 'No updates are to be performed.'];

export function isNoChangeReason(reason: string | undefined): boolean {
  const text = (reason ?? '').trim();
  return NO_CHANGE_REASONS.some((r) => text.startsWith(r) || text.startsWith(r.replace(/\.$/, '')));
}

/**
 * A change-set name: letters, digits and hyphens, starting with a letter, at most 128 characters,
 * unique (moto keeps names global across stacks, so the stack name is part of it).
 */
export function changeSetName(stackName: string, now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 17);
  return `mfinfra-${stackName.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 90)}-${stamp}`;
}

export interface CreateChangeSetInput {
  stackName: string;
  changeSetName: string;
  changeSetType: 'CREATE' | 'UPDATE';
  template: TemplateSource;
  tags: Record<string, string>;
  notificationArns?: string[];
  roleArn?: string;
  description?: string;
}

/** CreateChangeSet. Returns the change set id; `undefined` when the emulator says there is nothing to change. */
export async function createChangeSet(
  cfn: CloudFormationClient,
  input: CreateChangeSetInput,
  options: PollOptions = {},
): Promise<{ id: string; stackId?: string } | { noChanges: string }> {
  try {
    const out = await callAws(
      'create the change set',
      (o) =>
        cfn.send(
          new CreateChangeSetCommand({
            StackName: input.stackName,
            ChangeSetName: input.changeSetName,
            ChangeSetType: input.changeSetType,
            ...input.template,
            Capabilities: CAPABILITIES,
            Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
            ...(input.notificationArns?.length ? { NotificationARNs: input.notificationArns } : {}),
            ...(input.roleArn ? { RoleARN: input.roleArn } : {}),
            Description: input.description ?? `mfinfra plan of ${input.stackName}`,
            ClientToken: input.changeSetName,
          }),
          o,
        ),
      { ...options, idempotent: false },
    );
    return { id: out.Id ?? input.changeSetName, stackId: out.StackId };
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    const message = (cause as { message?: string }).message;
    if (awsErrorName(cause) === 'ValidationError' && isNoChangeReason(message)) return { noChanges: message! };
    if (awsErrorName(cause) === 'InsufficientCapabilitiesException') {
      throw fail.CHANGE_SET_FAILED(`CloudFormation refused the change set: ${message}`, {
        cause,
      });
    }
    if (awsErrorName(cause) === 'ValidationError' || awsErrorName(cause) === 'AlreadyExistsException') {
      throw fail.CHANGE_SET_FAILED(`CloudFormation refused the change set for stack ${input.stackName}: ${message}`, {
        hint: /already exists/.test(message ?? '') ? 'another deploy of this stack may be running; run `mfinfra plan` again' : undefined,
        cause,
      });
    }
    throw toDeployError(e, 'create the change set');
  }
}

export type ChangeSetOutcome =
  | { status: 'ready'; description: DescribeChangeSetCommandOutput }
  | { status: 'no-changes'; reason: string; description?: DescribeChangeSetCommandOutput }
  | { status: 'failed'; reason: string; description: DescribeChangeSetCommandOutput };

/** Poll DescribeChangeSet until it leaves CREATE_PENDING / CREATE_IN_PROGRESS. */
export async function waitForChangeSet(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetId: string,
  options: PollOptions & { timing?: PollTiming } = {},
): Promise<ChangeSetOutcome> {
  return pollUntil<ChangeSetOutcome>(
    'wait for the change set',
    options.timing ?? CHANGE_SET_POLL,
    async (call) => {
      // With property values from the start, so the answer that says "ready" is also the first page.
      const d = await cfn.send(
        new DescribeChangeSetCommand({ ChangeSetName: changeSetId, StackName: stackName, IncludePropertyValues: true }),
        call,
      );
      if (d.Status === 'CREATE_COMPLETE') return { status: 'ready', description: d };
      if (d.Status === 'FAILED') {
        const reason = d.StatusReason ?? 'CloudFormation gave no reason';
        return isNoChangeReason(reason) ? { status: 'no-changes', reason, description: d } : { status: 'failed', reason, description: d };
      }
      if (d.Status?.startsWith('DELETE')) {
        throw fail.CHANGE_SET_FAILED(`change set ${changeSetId} was deleted while mfinfra waited for it`, {});
      }
      return undefined;
    },
    options,
  );
}

/**
 * Every change, across all DescribeChangeSet pages, with property values (BeforeContext /
 * AfterContext). `first` is a page already read (the poll loop's last answer) to continue from.
 */
export async function describeAllChanges(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetId: string,
  first?: DescribeChangeSetCommandOutput,
  options: PollOptions = {},
): Promise<{ description: DescribeChangeSetCommandOutput; changes: Change[] }> {
  const read = (token: string | undefined) =>
    callAws(
      'read the change set',
      (o) =>
        cfn.send(
          new DescribeChangeSetCommand({ ChangeSetName: changeSetId, StackName: stackName, IncludePropertyValues: true, NextToken: token }),
          o,
        ),
      options,
    );
  const description = first ?? (await read(undefined));
  const changes: Change[] = [...(description.Changes ?? [])];
  for (let token = description.NextToken; token;) {
    const page = await read(token);
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  }
  return { description, changes };
}

/** Delete a change set; a change set that is already gone is fine. */
export async function deleteChangeSet(
  cfn: CloudFormationClient,
  stackName: string,
  changeSetId: string,
  options: PollOptions = {},
): Promise<void> {
  try {
    await callAws(
      'delete the change set',
      (o) => cfn.send(new DeleteChangeSetCommand({ ChangeSetName: changeSetId, StackName: stackName }), o),
      options,
    );
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    if (awsErrorName(cause) === 'ChangeSetNotFoundException' || awsErrorName(cause) === 'ChangeSetNotFound') return;
    throw e;
  }
}
