import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  UpdateTerminationProtectionCommand,
  type Change,
} from '@aws-sdk/client-cloudformation';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateBodyOf, templateDigest } from '../../src/deploy/plan.js';
import { applyDeploy } from '../../src/actions/apply.js';
import type { ReviewedChangeSet } from '../../src/iohost/messages.js';
import type { CompileResult } from '../../src/compile/compile.js';
import type { MfinfraError } from '../../src/errors.js';
import { errorOf } from '../../src/testing.js';
import {
  addQueue,
  availableChangeSet,
  compiled,
  CS_ID,
  CS_NAME,
  event,
  harness,
  missingStack,
  stack,
  STACK,
  STACK_ID,
  type Harness,
} from './helpers.js';

const CREATED_AT = new Date('2026-01-01T12:00:01Z');

function newStack(h: Harness, changes: Change[] = [addQueue('QueueJobs')]) {
  h.cfn.on(DescribeStacksCommand, { StackName: STACK }).rejects(missingStack());
  h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
  h.cfn.on(DescribeChangeSetCommand).resolves(availableChangeSet({ CreationTime: CREATED_AT, Changes: changes }));
  h.cfn.on(ExecuteChangeSetCommand).resolves({});
}

/** The answer to CONFIRM_DEPLOY: a yes/no, or a function of the reviewed change set. */
type Review = boolean | ((reviewed: ReviewedChangeSet) => boolean);

/** The harness answers CONFIRM_DEPLOY with `review`. */
function answering(h: Harness, review: Review): Harness {
  h.io.answers.CONFIRM_DEPLOY = typeof review === 'function' ? (q) => review(q.data) : review;
  return h;
}

function applyError(c: CompileResult, h: Harness, review: Review = true, options = {}): Promise<MfinfraError> {
  return errorOf(applyDeploy(c, answering(h, review).ctx, options), 'expected apply to fail');
}

describe('applyDeploy', () => {
  it('reviews, executes, streams each event once oldest first with a progress count, reads Outputs, writes the applied state', async () => {
    const h = harness();
    newStack(h, [addQueue('QueueJobs'), addQueue('QueueLogs')]);
    const old = event(STACK, 'UPDATE_COMPLETE', undefined, '2026-01-01T11:00:00Z'); // an earlier operation: not shown
    const e1 = event(STACK, 'CREATE_IN_PROGRESS', 'User Initiated', '2026-01-01T12:00:05Z');
    const e2 = event('QueueJobs', 'CREATE_IN_PROGRESS', undefined, '2026-01-01T12:00:06Z');
    const e3 = event('QueueJobs', 'CREATE_COMPLETE', undefined, '2026-01-01T12:00:07Z');
    const e4 = event('QueueLogs', 'CREATE_COMPLETE', undefined, '2026-01-01T12:00:08Z');
    const e5 = event(STACK, 'CREATE_COMPLETE', undefined, '2026-01-01T12:00:09Z');
    h.cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [e2, e1, old] })
      // two new events fill the first page: the next page is read, down to the first event seen
      .resolvesOnce({ StackEvents: [e4, e3], NextToken: 'more' })
      .resolvesOnce({ StackEvents: [e2, e1, old] })
      .resolves({ StackEvents: [e5, e4, e3, e2, e1, old] });
    h.cfn
      .on(DescribeStacksCommand, { StackName: STACK_ID })
      .resolvesOnce(stack('CREATE_IN_PROGRESS'))
      .resolves(stack('CREATE_COMPLETE', { Outputs: [{ OutputKey: 'QueueCount', OutputValue: '2' }] }));
    h.cfn.on(UpdateTerminationProtectionCommand).resolves({});
    const c = await compiled({ names: ['Jobs', 'Logs'] });
    const reviewed: string[] = [];
    answering(h, ({ plan, preview, gates }) => {
      reviewed.push(`${plan.changeSetType} ${preview.summary.add} adds, gates ok ${gates.ok}`);
      return true;
    });
    const out = await applyDeploy(c, h.ctx);
    expect(reviewed).toEqual(['CREATE 2 adds, gates ok true']);
    // The preview is shown, then the question asked; then the execution's progress.
    expect(h.io.codes().slice(0, 4)).toEqual(['DEPLOY_STEP', 'CHANGE_SET_REVIEW', 'CONFIRM_DEPLOY', 'DEPLOY_STEP']);
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input).toEqual({
      ChangeSetName: CS_ID,
      StackName: STACK,
      ClientRequestToken: 'x-mfinfra-mf-test-20260101120000000',
    });
    expect(h.events.map((e) => `${e.progress.done}/${e.progress.total} ${e.event.logicalId} ${e.event.status}`)).toEqual([
      '0/2 mf-test CREATE_IN_PROGRESS',
      '0/2 QueueJobs CREATE_IN_PROGRESS',
      '1/2 QueueJobs CREATE_COMPLETE',
      '2/2 QueueLogs CREATE_COMPLETE',
      '2/2 mf-test CREATE_COMPLETE',
    ]);
    expect(out.result).toEqual({
      stackName: STACK,
      stackId: STACK_ID,
      changeSetId: CS_ID,
      status: 'deployed',
      finalStatus: 'CREATE_COMPLETE',
      outputs: { QueueCount: '2' },
      events: 5,
      terminationProtection: false,
    });
    expect(h.cfn.commandCalls(DescribeStackEventsCommand).map((x) => x.args[0].input)).toEqual([
      { StackName: STACK_ID, NextToken: undefined },
      { StackName: STACK_ID, NextToken: undefined },
      { StackName: STACK_ID, NextToken: 'more' },
      { StackName: STACK_ID, NextToken: undefined },
    ]);
    expect(h.cfn.commandCalls(UpdateTerminationProtectionCommand)).toHaveLength(0);
    const state = JSON.parse(readFileSync(out.stateFile!, 'utf8'));
    expect(state.template).toEqual(c.template);
    expect(path.dirname(path.dirname(path.dirname(out.stateFile!)))).toBe(path.dirname(c.file));
  });

  it('turns termination protection on when the manifest asks, and passes --disable-rollback', async () => {
    const h = harness();
    newStack(h);
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('CREATE_COMPLETE', { EnableTerminationProtection: false }));
    h.cfn.on(UpdateTerminationProtectionCommand).resolves({});
    const c = await compiled({ stackYaml: '{ name: mf-test, region: us-east-1, terminationProtection: true }' });
    const out = await applyDeploy(c, answering(h, true).ctx, { disableRollback: true });
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input.DisableRollback).toBe(true);
    expect(h.cfn.commandCalls(UpdateTerminationProtectionCommand)[0]!.args[0].input).toEqual({
      StackName: STACK_ID,
      EnableTerminationProtection: true,
    });
    expect(out.result.terminationProtection).toBe(true);
  });

  it('a failed creation: the first failure and its reason, every failure listed, exit 1', async () => {
    const h = harness();
    newStack(h);
    h.cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event(STACK, 'ROLLBACK_COMPLETE', undefined, '2026-01-01T12:00:20Z'),
        event('QueueLogs', 'CREATE_FAILED', 'Resource creation cancelled', '2026-01-01T12:00:12Z'),
        event(
          'QueueJobs',
          'CREATE_FAILED',
          'Resource handler returned message: "Queue already exists" (HandlerErrorCode: AlreadyExists)',
          '2026-01-01T12:00:11Z',
        ),
        event(STACK, 'CREATE_IN_PROGRESS', 'User Initiated', '2026-01-01T12:00:05Z'),
      ],
    });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('ROLLBACK_COMPLETE'));
    const e = await applyError(await compiled(), h);
    expect([e.code, e.exitCode]).toEqual(['DEPLOY_FAILED', 1]);
    expect(e.message).toBe(
      'the deployment of mf-test failed and was rolled back: ROLLBACK_COMPLETE; first failure: QueueJobs CREATE_FAILED: Resource handler returned message: "Queue already exists" (HandlerErrorCode: AlreadyExists)',
    );
    expect(e.hint).toContain('offers to delete the failed stack first');
    expect(e.diagnostics.map((d) => d.message)).toEqual([
      'QueueJobs (AWS::SQS::Queue) CREATE_FAILED: Resource handler returned message: "Queue already exists" (HandlerErrorCode: AlreadyExists)',
      'QueueLogs (AWS::SQS::Queue) CREATE_FAILED: Resource creation cancelled',
    ]);
    expect(h.events.filter((x) => x.event.failed)).toHaveLength(2);
    expect(existsSync(path.join(path.dirname((await compiled()).file), '.mfinfra'))).toBe(false);
  });

  it('declined at the review: the change set and the REVIEW_IN_PROGRESS placeholder are removed; exit 130; nothing executed', async () => {
    const h = harness();
    newStack(h);
    const e = await applyError(await compiled(), h, false);
    expect([e.code, e.exitCode]).toEqual(['ABORTED', 130]);
    expect(e.message).toBe('nothing was deployed; the change set was deleted and the REVIEW_IN_PROGRESS placeholder stack removed');
    expect(h.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(h.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input).toEqual({ StackName: STACK_ID });
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('a stateful removal is refused by the safety gate (exit 4) whatever the review says; the change set is deleted', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: STACK }).resolves(stack('UPDATE_COMPLETE'));
    h.cfn.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({ Resources: { QueueOld: { Type: 'AWS::SQS::Queue' }, QueueJobs: { Type: 'AWS::SQS::Queue' } } }),
    });
    h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    h.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      ChangeSetId: CS_ID,
      Changes: [
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Remove',
            LogicalResourceId: 'QueueOld',
            ResourceType: 'AWS::SQS::Queue',
            PhysicalResourceId: 'https://sqs/old',
            PolicyAction: 'Delete',
          },
        },
      ],
    });
    const e = await applyError(await compiled(), h, true);
    // Shown what is refused, and not asked (no answer could pass it).
    expect(
      h.io
        .data('CHANGE_SET_REVIEW')
        .map(({ gates }) => `ok ${gates.ok}, approvable ${gates.approvable}, blocked ${gates.blocked.map((b) => b.logicalId).join()}`),
    ).toEqual(['ok false, approvable false, blocked QueueOld']);
    expect(h.io.asked()).toEqual([]);
    expect([e.code, e.exitCode]).toEqual(['GATE_BLOCKED', 4]);
    expect(e.message).toMatch(/^the change to mf-test was refused by a safety gate: QueueOld \(AWS::SQS::Queue\) would be removed/);
    expect(e.hint).toContain('--allow-replace QueueOld');
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    expect(h.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(h.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('two refusals: one block each (no repeated sentence), and no approval "error" among them', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand, { StackName: STACK }).resolves(stack('UPDATE_COMPLETE'));
    h.cfn.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({
        Resources: { QueueA: { Type: 'AWS::SQS::Queue' }, QueueB: { Type: 'AWS::SQS::Queue' }, QueueJobs: { Type: 'AWS::SQS::Queue' } },
      }),
    });
    h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    const remove = (id: string) => ({
      Type: 'Resource' as const,
      ResourceChange: {
        Action: 'Remove' as const,
        LogicalResourceId: id,
        ResourceType: 'AWS::SQS::Queue',
        PolicyAction: 'Delete' as const,
      },
    });
    h.cfn
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'CREATE_COMPLETE', ChangeSetId: CS_ID, Changes: [remove('QueueA'), remove('QueueB')] });
    const e = await applyError(await compiled(), h, true, { gates: { requireApproval: 'any-change' } });
    expect(e.message).toBe('the change to mf-test was refused by 2 safety gates');
    expect(e.diagnostics.map((d) => [d.code, d.message.split(' ')[0]])).toEqual([
      ['GATE_STATEFUL', 'QueueA'],
      ['GATE_STATEFUL', 'QueueB'],
    ]);
    expect(e.hint).toBeUndefined();
  });

  it('Ctrl-C while following the stack: stops watching, says the operation continues in AWS and how to follow it (exit 130)', async () => {
    const controller = new AbortController();
    const h = harness({ signal: controller.signal });
    newStack(h);
    h.cfn.on(DescribeStackEventsCommand).callsFake(async () => {
      controller.abort();
      return { StackEvents: [event(STACK, 'CREATE_IN_PROGRESS', 'User Initiated', '2026-01-01T12:00:05Z')] };
    });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('CREATE_IN_PROGRESS'));
    const c = await compiled();
    const e = await applyError(c, h);
    expect([e.code, e.exitCode, e.message]).toEqual(['ABORTED', 130, 'stopped following stack mf-test']);
    expect(e.hint).toBe(
      'the stack operation continues in AWS; follow it with: aws cloudformation describe-stack-events --stack-name mf-test',
    );
    // The executed change set is not touched, no state or config is written.
    expect(h.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(existsSync(path.join(path.dirname(c.file), '.mfinfra'))).toBe(false);
  });

  it('nothing to deploy: no execution; Outputs from the stack as it is', async () => {
    const h = harness();
    h.cfn
      .on(DescribeStacksCommand, { StackName: STACK })
      .resolves(stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'QueueCount', OutputValue: '1' }] }));
    h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    h.cfn.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set.",
      ChangeSetId: CS_ID,
    });
    h.cfn.on(DeleteChangeSetCommand).resolves({});
    const out = await applyDeploy(await compiled(), answering(h, true).ctx);
    expect(h.io.asked()).toEqual([]);
    expect(out.result).toMatchObject({ status: 'no-changes', finalStatus: 'UPDATE_COMPLETE', outputs: { QueueCount: '1' }, events: 0 });
    expect(out.stateFile).toBeUndefined();
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });
});

describe('applyDeploy --change-set', () => {
  async function existing(h: Harness, c: CompileResult, extra: Record<string, unknown> = {}) {
    h.cfn.on(DescribeChangeSetCommand).resolves(
      availableChangeSet({
        ChangeSetName: CS_NAME,
        CreationTime: CREATED_AT,
        Description: `mfinfra plan (queues); template sha256:${templateDigest(templateBodyOf(c))}`,
        ...extra,
      }),
    );
  }

  it('executes the reviewed change set when it is AVAILABLE and its template is what the manifest compiles to', async () => {
    const h = harness();
    const c = await compiled();
    await existing(h, c);
    h.cfn.on(DescribeStacksCommand).resolvesOnce(stack('REVIEW_IN_PROGRESS')).resolves(stack('CREATE_COMPLETE'));
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    h.cfn.on(ExecuteChangeSetCommand).resolves({});
    const out = await applyDeploy(c, answering(h, true).ctx, { changeSet: CS_NAME });
    expect(out.result.finalStatus).toBe('CREATE_COMPLETE');
    expect(h.cfn.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input.ChangeSetName).toBe(CS_ID);
  });

  it('declined: the reviewed change set and its placeholder stack are kept (this run made neither)', async () => {
    const h = harness();
    const c = await compiled();
    await existing(h, c);
    h.cfn.on(DescribeStacksCommand).resolves(stack('REVIEW_IN_PROGRESS'));
    const e = await applyError(c, h, false, { changeSet: CS_NAME });
    expect([e.code, e.exitCode, e.message]).toEqual(['ABORTED', 130, `nothing was deployed; change set ${CS_NAME} was kept for review`]);
    expect(h.cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(h.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('refuses a change set whose template no longer matches the manifest', async () => {
    const h = harness();
    const c = await compiled();
    await existing(h, c, { Description: `mfinfra plan (queues); template sha256:${'0'.repeat(64)}` });
    const e = await applyError(c, h, true, { changeSet: CS_NAME });
    expect([e.code, e.message]).toEqual([
      'CHANGE_SET_STALE',
      `change set ${CS_NAME} no longer matches the manifest: its template differs from what mf-test compiles to now`,
    ]);
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('checks a change set not made by plan against its own template (GetTemplate with ChangeSetName)', async () => {
    const h = harness();
    const c = await compiled();
    await existing(h, c, { Description: 'made by hand' });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: {} }) });
    const e = await applyError(c, h, true, { changeSet: CS_NAME });
    expect(e.code).toBe('CHANGE_SET_STALE');
    expect(h.cfn.commandCalls(GetTemplateCommand)[0]!.args[0].input).toEqual({
      StackName: STACK,
      TemplateStage: 'Original',
      ChangeSetName: CS_ID,
    });
  });

  it.each([
    [{ ExecutionStatus: 'OBSOLETE' }, 'status CREATE_COMPLETE, execution status OBSOLETE'],
    [
      { Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', StatusReason: 'No updates are to be performed.' },
      'status FAILED, execution status UNAVAILABLE (No updates are to be performed.)',
    ],
  ])('refuses a change set that cannot be executed (%o)', async (extra, text) => {
    const h = harness();
    const c = await compiled();
    await existing(h, c, extra);
    const e = await applyError(c, h, true, { changeSet: CS_NAME });
    expect(e.message).toBe(`change set ${CS_NAME} cannot be executed: ${text}`);
  });

  it('a change set that is gone: says so and to plan again', async () => {
    const h = harness();
    const c = await compiled();
    const { awsError } = await import('./helpers.js');
    h.cfn.on(DescribeChangeSetCommand).rejects(awsError('ChangeSetNotFoundException', `ChangeSet [${CS_NAME}] does not exist`, 404));
    const e = await applyError(c, h, true, { changeSet: CS_NAME });
    expect([e.code, e.message]).toEqual(['CHANGE_SET_STALE', `change set ${CS_NAME} was not found on stack mf-test`]);
  });
});

describe('item 8 (issue 12): state is recorded only for what this run deployed', () => {
  it('the stack says another change set ran after ours: no local state, STACK_MOVED naming both', async () => {
    const h = harness();
    newStack(h);
    const other = CS_ID.replace(CS_NAME, 'someone-elses-change-set');
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('UPDATE_COMPLETE', { ChangeSetId: other }));
    const c = await compiled();
    const e = await applyError(c, h);
    expect(e.code).toBe('STACK_MOVED');
    expect(e.message).toContain(`its last operation is change set ${other}, not this run's ${CS_NAME}`);
    expect(e.message).toMatch(/the local state and config files were not written/);
    expect(existsSync(path.join(path.dirname(c.file), '.mfinfra'))).toBe(false);
  });

  it("the stack names this run's change set (as AWS does, by ARN): the state is written", async () => {
    const h = harness();
    newStack(h);
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('CREATE_COMPLETE', { ChangeSetId: CS_ID }));
    const out = await applyDeploy(await compiled(), answering(h, true).ctx);
    expect(out.result.lastChangeSetId).toBe(CS_ID);
    expect(existsSync(out.stateFile!)).toBe(true);
  });
});

describe('item 2 (issue 12): a refusal whose cleanup fails says what is left', () => {
  it('DeleteChangeSet fails after a stateful refusal: exit 4, the message names the executable change set and how to delete it', async () => {
    const h = harness();
    newStack(h, [
      {
        Type: 'Resource',
        ResourceChange: { Action: 'Remove', LogicalResourceId: 'Data', ResourceType: 'AWS::S3::Bucket', PolicyAction: 'Delete' },
      },
    ]);
    h.cfn.on(DeleteChangeSetCommand).rejects(Object.assign(new Error('Access denied'), { name: 'AccessDenied' }));
    h.cfn.on(DeleteStackCommand).rejects(Object.assign(new Error('Access denied'), { name: 'AccessDenied' }));
    const e = await applyError(await compiled(), h, false);
    expect(e.code).toBe('GATE_BLOCKED');
    expect(e.exitCode).toBe(4);
    expect(e.message).toMatch(
      /LEFT BEHIND: change set mfinfra-mf-test-\d+ on stack mf-test, still executable \(not deleted: AWS refused to delete the change set/,
    );
    expect(e.message).toMatch(/the REVIEW_IN_PROGRESS placeholder stack mf-test \(not deleted/);
    expect(e.hint).toContain(`aws cloudformation delete-change-set --stack-name ${STACK} --change-set-name ${CS_ID}`);
    expect(h.cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });
});
