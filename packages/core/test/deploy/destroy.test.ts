import {
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type Stack,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDestroyPlan } from '../../src/deploy/render.js';
import { destroyDeploy } from '../../src/actions/destroy.js';
import type { DestroyPlan } from '../../src/deploy/destroy.js';
import type { MfinfraError } from '../../src/errors.js';
import { errorOf } from '../../src/testing.js';
import { event, harness, missingStack, stack, STACK, STACK_ID, type Harness } from './helpers.js';

const TEMPLATE = {
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' },
    Database: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres' } },
    Logs: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'RetainExceptOnCreate' },
    Queue: { Type: 'AWS::SQS::Queue' },
  },
};

function deployedStack(h: Harness, status: StackStatus = 'UPDATE_COMPLETE', extra: Partial<Stack> = {}) {
  h.cfn.on(DescribeStacksCommand, { StackName: STACK }).resolves(stack(status, extra));
  h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(TEMPLATE) });
  h.cfn.on(ListStackResourcesCommand, { NextToken: undefined }).resolves({
    StackResourceSummaries: [
      {
        LogicalResourceId: 'Bucket',
        ResourceType: 'AWS::S3::Bucket',
        PhysicalResourceId: 'mf-test-bucket-1a2b',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        LogicalResourceId: 'Database',
        ResourceType: 'AWS::RDS::DBInstance',
        PhysicalResourceId: 'mf-test-db',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    ],
    NextToken: 'p2',
  });
  h.cfn.on(ListStackResourcesCommand, { NextToken: 'p2' }).resolves({
    StackResourceSummaries: [
      {
        LogicalResourceId: 'Logs',
        ResourceType: 'AWS::Logs::LogGroup',
        PhysicalResourceId: '/mf/logs',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        LogicalResourceId: 'Queue',
        ResourceType: 'AWS::SQS::Queue',
        PhysicalResourceId: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
        ResourceStatus: 'UPDATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    ],
  });
}

/** Destroy, answering CONFIRM_DESTROY with `answer`; the error it fails with. */
function destroyError(h: Harness, answer = true, options = {}): Promise<MfinfraError> {
  h.io.answers.CONFIRM_DESTROY = answer;
  return errorOf(destroyDeploy(STACK, h.ctx, options), 'expected destroy to fail');
}

describe('destroyDeploy', () => {
  it('shows what is deleted and what is kept (DeletionPolicy or its default), deletes, streams events, removes the local state', async () => {
    const h = harness();
    deployedStack(h);
    h.cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [event(STACK, 'UPDATE_COMPLETE', undefined, '2026-01-01T11:00:00Z')] })
      .resolves({
        StackEvents: [
          event(STACK, 'DELETE_COMPLETE', undefined, '2026-01-01T12:01:00Z'),
          event('Queue', 'DELETE_COMPLETE'),
          event('Bucket', 'DELETE_SKIPPED', undefined, '2026-01-01T12:00:09Z', 'AWS::S3::Bucket'),
          event(STACK, 'DELETE_IN_PROGRESS', 'User Initiated', '2026-01-01T12:00:05Z'),
        ],
      });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolvesOnce(stack('DELETE_IN_PROGRESS')).resolves(stack('DELETE_COMPLETE'));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-destroy-'));
    const stateFile = path.join(dir, '.mfinfra', 'state', `${STACK}.json`);
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, '{}');
    h.io.answers.CONFIRM_DESTROY = true;
    const out = await destroyDeploy(STACK, h.ctx, { manifestDir: dir });
    // Shown what goes and what stays, then asked (y/N: nothing here looks like production).
    expect(h.io.codes().filter((c) => c !== 'DEPLOY_STEP' && c !== 'STACK_EVENT')).toEqual(['DESTROY_REVIEW', 'CONFIRM_DESTROY']);
    expect(h.io.requests[0]!.data).not.toHaveProperty('typeStackName');
    const shown: DestroyPlan = h.io.data('DESTROY_REVIEW')[0]!.plan;
    expect(renderDestroyPlan(shown, false)).toMatchInlineSnapshot(`
      "Stack mf-test (UPDATE_COMPLETE): 4 resources
        ~ retain      Bucket    AWS::S3::Bucket       mf-test-bucket-1a2b  (DeletionPolicy Retain: kept, no longer managed by CloudFormation)
        ~ snapshot    Database  AWS::RDS::DBInstance  mf-test-db  (DeletionPolicy Snapshot: a final snapshot is kept, the resource is deleted)
        ~ retain      Logs      AWS::Logs::LogGroup   /mf/logs  (DeletionPolicy RetainExceptOnCreate: kept, no longer managed by CloudFormation)
        - delete      Queue     AWS::SQS::Queue       https://sqs.us-east-1.amazonaws.com/123456789012/q

      2 to delete (1 after a final snapshot), 2 to retain
      retained resources keep existing (and costing) after the stack is gone; delete them yourself when no longer needed"
    `);
    expect(h.cfn.commandCalls(DeleteStackCommand)[0]!.args[0].input).toMatchObject({ StackName: STACK_ID });
    expect(h.events.map((e) => `${e.progress.done}/${e.progress.total} ${e.event.logicalId} ${e.event.status}`)).toEqual([
      '0/4 mf-test DELETE_IN_PROGRESS',
      '1/4 Bucket DELETE_SKIPPED',
      '2/4 Queue DELETE_COMPLETE',
      '2/4 mf-test DELETE_COMPLETE',
    ]);
    expect(out.result).toMatchObject({ status: 'deleted', finalStatus: 'DELETE_COMPLETE', events: 4 });
    expect(out.result.retained.map((r) => r.logicalId)).toEqual(['Bucket', 'Database', 'Logs']);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('refuses while termination protection is on, before asking or deleting', async () => {
    const h = harness();
    deployedStack(h, 'UPDATE_COMPLETE', { EnableTerminationProtection: true });
    const e = await destroyError(h, true);
    expect([e.code, e.exitCode, e.message]).toEqual([
      'TERMINATION_PROTECTION',
      1,
      'stack mf-test cannot be deleted while TerminationProtection is enabled',
    ]);
    expect(e.hint).toContain('set stack.terminationProtection: false in the manifest and run `mfinfra apply`');
    expect(e.hint).toContain('aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name mf-test');
    expect(h.io.asked()).toEqual([]);
    expect(h.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it("maps CloudFormation's own termination-protection refusal to the same clear error", async () => {
    const h = harness();
    deployedStack(h);
    h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const { awsError } = await import('./helpers.js');
    h.cfn
      .on(DeleteStackCommand)
      .rejects(awsError('ValidationError', 'Stack [mf-test] cannot be deleted while TerminationProtection is enabled'));
    const e = await destroyError(h);
    expect(e.code).toBe('TERMINATION_PROTECTION');
  });

  it('no stack: nothing to destroy, nothing asked', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(missingStack());
    h.io.answers.CONFIRM_DESTROY = true;
    const out = await destroyDeploy(STACK, h.ctx);
    expect(out.result.status).toBe('no-stack');
    expect(h.io.codes()).toEqual([]);
  });

  it('declined: aborted (exit 130), not deleted', async () => {
    const h = harness();
    deployedStack(h);
    const e = await destroyError(h, false);
    expect([e.code, e.exitCode, e.message]).toEqual(['ABORTED', 130, 'stack mf-test was not deleted']);
    expect(h.cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('busy: refuses clearly', async () => {
    const h = harness();
    deployedStack(h, 'UPDATE_IN_PROGRESS');
    const e = await destroyError(h);
    expect([e.code, e.message]).toEqual(['STACK_BUSY', 'stack mf-test is busy: UPDATE_IN_PROGRESS (another operation is running)']);
  });

  it('DELETE_FAILED: names the resources that failed and why, and how to keep them', async () => {
    const h = harness();
    deployedStack(h);
    h.cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          event(STACK, 'DELETE_FAILED', 'The following resource(s) failed to delete: [Queue].', '2026-01-01T12:01:00Z'),
          event('Queue', 'DELETE_FAILED', 'Access Denied (Service: Sqs, Status Code: 403)'),
        ],
      });
    h.cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves(stack('DELETE_FAILED'));
    const e = await destroyError(h);
    expect(e.message).toBe('the deletion of mf-test ended in DELETE_FAILED: Queue: Access Denied (Service: Sqs, Status Code: 403)');
    expect(e.hint).toContain('--retain-resources LogicalId');
  });
});
