import {
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { createPlan, discardPlan } from '../../src/deploy/plan.js';
import type { MfinfraError } from '../../src/errors.js';
import { errorOf } from '../../src/testing.js';
import {
  addQueue,
  availableChangeSet,
  awsError,
  compiled,
  CS_ID,
  event,
  harness,
  missingStack,
  stack,
  STACK,
  STACK_ID,
  type Harness,
} from './helpers.js';

const ADD_JOBS = addQueue('QueueJobs');

function readyChangeSet(h: Harness, extra: Record<string, unknown> = {}) {
  h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
  h.cfn
    .on(DescribeChangeSetCommand)
    .resolvesOnce({ Status: 'CREATE_PENDING', ChangeSetId: CS_ID })
    .resolvesOnce({ Status: 'CREATE_IN_PROGRESS', ChangeSetId: CS_ID })
    .resolves(availableChangeSet({ CreationTime: new Date('2026-01-01T12:00:01Z'), ...extra }));
}

/** A stack that answers DescribeStacks with these statuses in turn (the last from then on), then takes a change set. */
function stackGoingThrough(h: Harness, ...statuses: [StackStatus, StackStatus, StackStatus]) {
  const [first, next, last] = statuses;
  h.cfn.on(DescribeStacksCommand).resolvesOnce(stack(first)).resolvesOnce(stack(next)).resolves(stack(last));
  h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources":{}}' });
  readyChangeSet(h);
}

async function planError(h: Harness, options = {}, names?: string[]): Promise<MfinfraError> {
  return errorOf(createPlan(await compiled({ names }), h.ctx, options), 'expected the plan to fail');
}

describe('createPlan: stack states', () => {
  it('no stack: a CREATE change set with all three capabilities, the tags, polled until ready, left for review', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(missingStack());
    readyChangeSet(h);
    const plan = await createPlan(await compiled(), h.ctx);
    expect(plan).toMatchObject({
      status: 'changes',
      changeSetType: 'CREATE',
      changeSetId: CS_ID,
      stackId: STACK_ID,
      placeholder: true,
      previousStatus: undefined,
    });
    expect(plan.changes).toEqual([ADD_JOBS]);
    const create = h.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      StackName: STACK,
      ChangeSetType: 'CREATE',
      ChangeSetName: 'mfinfra-mf-test-20260101120000000',
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      Tags: [{ Key: 'team', Value: 'ml' }],
      ClientToken: 'mfinfra-mf-test-20260101120000000',
    });
    expect(create.TemplateBody).toContain('"QueueJobs"');
    expect(create.Description).toMatch(/^mfinfra plan \(queues\); template sha256:[0-9a-f]{64}$/);
    // Our own poll loop (3 reads), every read with property values; nothing deleted.
    expect(h.cfn.commandCalls(DescribeChangeSetCommand).map((c) => c.args[0].input.IncludePropertyValues)).toEqual([true, true, true]);
    expect(h.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(h.cfn.commandCalls(GetTemplateCommand)).toHaveLength(0);
  });

  it('REVIEW_IN_PROGRESS (left by an earlier plan): CREATE again; discarding removes the change set and the placeholder', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves(stack('REVIEW_IN_PROGRESS'));
    readyChangeSet(h);
    const plan = await createPlan(await compiled(), h.ctx);
    expect(plan).toMatchObject({ changeSetType: 'CREATE', previousStatus: 'REVIEW_IN_PROGRESS', placeholder: true });
    await discardPlan(h.ctx, plan);
    expect(h.cfn.commandCalls(DeleteChangeSetCommand)[0]!.args[0].input).toEqual({ ChangeSetName: CS_ID, StackName: STACK });
    expect(h.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input).toEqual({ StackName: STACK_ID });
  });

  it('an existing stack: UPDATE, with the deployed template for the preview', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_COMPLETE'));
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: { QueueOld: { Type: 'AWS::SQS::Queue' } } }) });
    readyChangeSet(h);
    const plan = await createPlan(await compiled(), h.ctx);
    expect(plan).toMatchObject({
      changeSetType: 'UPDATE',
      placeholder: false,
      oldTemplate: { Resources: { QueueOld: { Type: 'AWS::SQS::Queue' } } },
    });
    expect(h.cfn.commandCalls(GetTemplateCommand)[0]!.args[0].input).toEqual({ StackName: STACK, TemplateStage: 'Original' });
  });

  it('ROLLBACK_COMPLETE: plan refuses and says how to recover, without creating anything', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    const e = await planError(h);
    expect(e.code).toBe('STACK_STATE');
    expect(e.message).toBe(
      'stack mf-test is in ROLLBACK_COMPLETE: its creation failed, and it can not be updated; it must be deleted and created again',
    );
    expect(e.hint).toContain('`mfinfra apply` offers to delete and re-create it');
    expect(h.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('ROLLBACK_COMPLETE with consent: deletes the failed stack, waits for DELETE_COMPLETE, then CREATE', async () => {
    const h = harness({ confirm: true });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK }).resolvesOnce(stack('ROLLBACK_COMPLETE')).rejects(missingStack());
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolvesOnce(stack('DELETE_IN_PROGRESS')).resolves(stack('DELETE_COMPLETE'));
    h.cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [event(STACK, 'ROLLBACK_COMPLETE', undefined, '2026-01-01T11:00:00Z')] })
      .resolves({
        StackEvents: [
          event(STACK, 'DELETE_COMPLETE'),
          event('QueueJobs', 'DELETE_COMPLETE'),
          event(STACK, 'DELETE_IN_PROGRESS', 'User Initiated'),
        ],
      });
    readyChangeSet(h);
    const plan = await createPlan(await compiled(), h.ctx, { recreateFailed: true });
    expect(h.confirmations).toEqual([
      'stack mf-test is in ROLLBACK_COMPLETE: its creation failed, and it can not be updated; it must be deleted and created again. Delete it now and create it again?',
    ]);
    expect(h.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input).toEqual({ StackName: STACK_ID });
    expect(plan).toMatchObject({ changeSetType: 'CREATE', recovered: 'recreated', previousStatus: 'ROLLBACK_COMPLETE' });
    // Events of the deletion streamed oldest first, the old ROLLBACK_COMPLETE not repeated.
    expect(h.events.map((e) => `${e.event.logicalId} ${e.event.status}`)).toEqual([
      'mf-test DELETE_IN_PROGRESS',
      'QueueJobs DELETE_COMPLETE',
      'mf-test DELETE_COMPLETE',
    ]);
  });

  it('ROLLBACK_COMPLETE, consent refused: aborted (exit 130), nothing deleted', async () => {
    const h = harness({ confirm: false });
    h.cfn.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE'));
    const e = await planError(h, { recreateFailed: true });
    expect([e.code, e.exitCode, e.message]).toEqual(['ABORTED', 130, 'stack mf-test was left in ROLLBACK_COMPLETE']);
    expect(h.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('UPDATE_ROLLBACK_FAILED: refuses with how to recover', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_FAILED'));
    const e = await planError(h);
    expect(e.message).toBe('stack mf-test is in UPDATE_ROLLBACK_FAILED state and can not be updated');
    expect(e.hint).toContain('run `mfinfra apply --continue-rollback` (ContinueUpdateRollback)');
    expect(e.hint).toContain('aws cloudformation describe-stack-events --stack-name mf-test');
    expect(e.hint).toContain('--resources-to-skip');
  });

  it('UPDATE_ROLLBACK_FAILED with --continue-rollback: ContinueUpdateRollback, wait for UPDATE_ROLLBACK_COMPLETE, then UPDATE', async () => {
    const h = harness();
    stackGoingThrough(h, 'UPDATE_ROLLBACK_FAILED', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE');
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const plan = await createPlan(await compiled(), h.ctx, { continueRollback: true });
    expect(h.cfn.commandCalls(ContinueUpdateRollbackCommand)[0]!.args[0].input).toEqual({ StackName: STACK });
    expect(plan).toMatchObject({ changeSetType: 'UPDATE', recovered: 'continue-rollback' });
  });

  it('busy (UPDATE_IN_PROGRESS): refuses clearly, or waits with --wait-for-busy', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_IN_PROGRESS'));
    const e = await planError(h);
    expect([e.code, e.message]).toEqual(['STACK_BUSY', 'stack mf-test is busy: UPDATE_IN_PROGRESS (another operation is running)']);
    expect(e.hint).toContain('--wait-for-busy');

    const w = harness();
    stackGoingThrough(w, 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE');
    const plan = await createPlan(await compiled(), w.ctx, { waitForBusy: true });
    expect(plan.changeSetType).toBe('UPDATE');
    expect(w.steps[0]).toEqual({
      step: 'wait-busy',
      message: 'stack mf-test is UPDATE_IN_PROGRESS; waiting for the running operation to finish',
    });
  });
});

describe('createPlan: change set outcomes', () => {
  it.each([
    "The submitted information didn't contain changes. Submit different information to create a change set.",
    'No updates are to be performed.',
  ])('FAILED with "%s" is "nothing to deploy": the change set is deleted', async (reason) => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    h.cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: reason, ChangeSetId: CS_ID, ExecutionStatus: 'UNAVAILABLE' });
    const plan = await createPlan(await compiled(), h.ctx);
    expect(plan).toMatchObject({ status: 'no-changes', noChangeReason: reason, changes: [] });
    expect(h.cfn.commandCalls(DeleteChangeSetCommand)[0]!.args[0].input).toEqual({ ChangeSetName: CS_ID, StackName: STACK });
  });

  it('an emulator\'s ValidationError "No updates are to be performed." is "nothing to deploy" too', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    h.cfn.on(CreateChangeSetCommand).rejects(awsError('ValidationError', 'No updates are to be performed.'));
    const plan = await createPlan(await compiled(), h.ctx);
    expect(plan).toMatchObject({ status: 'no-changes', noChangeReason: 'No updates are to be performed.' });
  });

  it('an empty completed change set: nothing to deploy when the template is unchanged, real work when it differs', async () => {
    const c = await compiled();
    const same = harness();
    same.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    same.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(c.template) });
    readyChangeSet(same, { Changes: [] });
    expect((await createPlan(c, same.ctx)).status).toBe('no-changes');
    expect(same.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);

    const outputsOnly = harness();
    outputsOnly.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    outputsOnly.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ ...c.template, Outputs: {} }) });
    readyChangeSet(outputsOnly, { Changes: [] });
    expect((await createPlan(c, outputsOnly.ctx)).status).toBe('changes');
  });

  it("FAILED for another reason: CloudFormation's reason, and the change set and placeholder are cleaned up", async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(missingStack());
    h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    const reason = 'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template';
    h.cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: reason, ChangeSetId: CS_ID });
    const e = await planError(h);
    expect([e.code, e.exitCode, e.message]).toEqual([
      'CHANGE_SET_FAILED',
      1,
      `CloudFormation could not create the change set for mf-test: ${reason}`,
    ]);
    expect(h.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(h.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input).toEqual({ StackName: STACK_ID });
  });

  it('reads every page of DescribeChangeSet', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(missingStack());
    h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    h.cfn
      .on(DescribeChangeSetCommand, { NextToken: undefined })
      .resolves({ Status: 'CREATE_COMPLETE', ChangeSetId: CS_ID, Changes: [addQueue('A')], NextToken: 'p2' });
    h.cfn
      .on(DescribeChangeSetCommand, { NextToken: 'p2' })
      .resolves({ Status: 'CREATE_COMPLETE', ChangeSetId: CS_ID, Changes: [addQueue('B')], NextToken: 'p3' });
    h.cfn
      .on(DescribeChangeSetCommand, { NextToken: 'p3' })
      .resolves({ Status: 'CREATE_COMPLETE', ChangeSetId: CS_ID, Changes: [addQueue('C')] });
    const plan = await createPlan(await compiled(), h.ctx);
    expect(plan.changes.map((c) => c.ResourceChange!.LogicalResourceId)).toEqual(['A', 'B', 'C']);
    expect(h.cfn.commandCalls(DescribeChangeSetCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'p2', 'p3']);
  });

  it('passes notification ARNs and the role ARN from the manifest', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(missingStack());
    readyChangeSet(h);
    const c = await compiled({
      stackYaml: `{ name: mf-test, region: us-east-1, notificationArns: ['arn:aws:sns:us-east-1:123456789012:deploys'], roleArn: 'arn:aws:iam::123456789012:role/cfn-deployer' }`,
    });
    await createPlan(c, h.ctx);
    expect(h.cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input).toMatchObject({
      NotificationARNs: ['arn:aws:sns:us-east-1:123456789012:deploys'],
      RoleARN: 'arn:aws:iam::123456789012:role/cfn-deployer',
    });
  });
});

describe('AWS errors become one clear line', () => {
  it.each([
    ['CredentialsProviderError', 'Could not load credentials from any providers', 'AWS_CREDENTIALS'],
    ['ExpiredToken', 'The security token included in the request is expired', 'AWS_CREDENTIALS'],
    ['InvalidClientTokenId', 'The security token included in the request is invalid.', 'AWS_CREDENTIALS'],
    [
      'AccessDenied',
      'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStacks',
      'AWS_ACCESS_DENIED',
    ],
  ])('%s → %s', async (name, message, code) => {
    const h = harness();
    const err = name === 'CredentialsProviderError' ? Object.assign(new Error(message), { name }) : awsError(name, message, 403);
    h.cfn.on(DescribeStacksCommand).rejects(err);
    const e = await planError(h);
    expect(e.code).toBe(code);
    expect(e.message).not.toContain('\n');
    expect(e.message).toContain(message);
    expect(e.hint).toBeTruthy();
  });

  it('throttling that outlasts the SDK retries is waited out', async () => {
    const h = harness();
    h.cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejects(missingStack());
    readyChangeSet(h);
    expect((await createPlan(await compiled(), h.ctx)).changeSetType).toBe('CREATE');
    expect(h.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(3);
  });

  it('an endpoint that refuses connections fails at once with what to check', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    const e = await planError(h);
    expect([e.code, e.message]).toEqual([
      'AWS_UNREACHABLE',
      'could not reach AWS to describe the stack (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)',
    ]);
    expect(e.hint).toBe('check the network, --endpoint-url / AWS_ENDPOINT_URL, and --region');
    expect(h.cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });

  it('a write is not retried after a 5xx (it may have been done), only after throttling', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(missingStack());
    h.cfn.on(CreateChangeSetCommand).rejects(awsError('InternalFailure', 'internal error', 500));
    const e = await planError(h);
    expect(e.message).toBe('failed to create the change set: InternalFailure: internal error');
    expect(h.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
  });
});
