/** Shared fixtures for the deploy tests: mocked AWS clients, a compiled manifest, AWS-shaped errors. */
// These tests construct SDK clients themselves (the CLI's createAwsClients would quiet this).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  type Change,
  type DescribeChangeSetCommandOutput,
  type ResourceStatus,
  type Stack,
  type StackEvent,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AwsClients } from '../../src/aws/clients.js';
import type { CompileResult } from '../../src/compile/compile.js';
import type { DeployContext } from '../../src/deploy/context.js';
import type { DeployStep } from '../../src/deploy/types.js';
import type { EventProgress, StackEventLine } from '../../src/deploy/events.js';
import { definePlugin } from '../../src/plugin.js';
import { compileManifest, RecordingIoHost, type IoAnswers } from '../../src/testing.js';

export const STACK = 'mf-test';
export const STACK_ID = `arn:aws:cloudformation:us-east-1:123456789012:stack/${STACK}/4a1b2c3d-0000-1111-2222-333344445555`;
export const CS_NAME = 'mfinfra-mf-test-20260101120000000';
export const CS_ID = `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${CS_NAME}/9f8e7d6c-0000-1111-2222-333344445555`;

/** An error as the SDK throws it for a CloudFormation error response. */
export function awsError(name: string, message: string, status = 400): CloudFormationServiceException {
  return new CloudFormationServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** A change that adds queue `id` (a resource of the queues plugin). */
export function addQueue(id: string): Change {
  return { Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: id, ResourceType: 'AWS::SQS::Queue' } };
}

type ChangeSetAnswer = Omit<DescribeChangeSetCommandOutput, '$metadata'>;

/** DescribeChangeSet's answer for this run's change set once it is ready: AVAILABLE, adding QueueJobs unless `extra` says otherwise. */
export function availableChangeSet(extra: Partial<ChangeSetAnswer> = {}): ChangeSetAnswer {
  return {
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    ChangeSetId: CS_ID,
    StackId: STACK_ID,
    Changes: [addQueue('QueueJobs')],
    ...extra,
  };
}

export const missingStack = () => awsError('ValidationError', `Stack with id ${STACK} does not exist`);

export function stack(status: StackStatus, extra: Partial<Stack> = {}): { Stacks: Stack[] } {
  return {
    Stacks: [{ StackName: STACK, StackId: STACK_ID, StackStatus: status, CreationTime: new Date('2026-01-01T10:00:00Z'), ...extra }],
  };
}

let eventSeq = 0;
export function event(
  logicalId: string,
  status: ResourceStatus,
  reason?: string,
  at = '2026-01-01T12:00:10Z',
  type = 'AWS::SQS::Queue',
): StackEvent {
  const isStack = logicalId === STACK;
  return {
    EventId: `ev-${++eventSeq}`,
    StackId: STACK_ID,
    StackName: STACK,
    LogicalResourceId: logicalId,
    PhysicalResourceId: isStack ? STACK_ID : `phys-${logicalId}`,
    ResourceType: isStack ? 'AWS::CloudFormation::Stack' : type,
    Timestamp: new Date(at),
    ResourceStatus: status,
    ...(reason ? { ResourceStatusReason: reason } : {}),
  };
}

export const queuesPlugin = definePlugin<{ names: string[]; retain?: boolean }>({
  name: 'test:queues',
  apiVersion: 1,
  key: 'queues',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { names: { type: 'array', items: { type: 'string' } }, retain: { type: 'boolean' } },
  },
  resources: (_ctx, o) =>
    Object.fromEntries(
      o.names.map((n) => [
        `Queue${n}`,
        {
          Type: 'AWS::SQS::Queue',
          ...(o.retain ? { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } : {}),
          Properties: { SqsManagedSseEnabled: true },
        },
      ]),
    ),
  stackOutputs: () => ({ QueueCount: { value: '2', description: 'how many queues' } }),
});

export async function compiled(options: { names?: string[]; stackYaml?: string } = {}): Promise<CompileResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-deploy-'));
  const stackYaml = options.stackYaml ?? `{ name: ${STACK}, region: us-east-1, tags: { team: ml } }`;
  const text = [
    'version: 1',
    `stack: ${stackYaml}`,
    'plugins: [queues]',
    `queues: { names: [${(options.names ?? ['Jobs']).join(', ')}] }`,
    'outputs: { metaflowConfig: { enabled: false } }',
    '',
  ].join('\n');
  return compileManifest(text, { plugins: { queues: queuesPlugin }, cwd: dir });
}

/** The account id the harness's credentials belong to. */
export const ACCOUNT_ID = '123456789012';

export interface Harness {
  clients: AwsClients;
  cfn: AwsClientStub<CloudFormationClient>;
  s3: AwsClientStub<S3Client>;
  ctx: DeployContext;
  /** The context's IoHost: every message and question of the run. */
  io: RecordingIoHost;
  /** The DEPLOY_STEP messages' data. */
  readonly steps: DeployStep[];
  /** The STACK_EVENT messages' data. */
  readonly events: { event: StackEventLine; progress: EventProgress }[];
  /** The CONFIRM_RECREATE questions asked. */
  readonly confirmations: string[];
}

/**
 * Mocked clients (no network) and a context whose IoHost records every message; polls do not sleep.
 * `confirm` answers CONFIRM_RECREATE; `answers` any question (e.g. CONFIRM_DEPLOY: true).
 */
export function harness(options: { confirm?: boolean; signal?: AbortSignal; answers?: IoAnswers } = {}): Harness {
  const cloudFormation = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const s3Client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const cfn = mockClient(cloudFormation);
  const s3 = mockClient(s3Client);
  const io = new RecordingIoHost({ CONFIRM_RECREATE: options.confirm ?? false, ...options.answers });
  const clients: AwsClients = {
    region: 'us-east-1',
    notices: [],
    cloudFormation,
    s3: s3Client,
    accountId: async () => ACCOUNT_ID,
    client: (Client) =>
      new (Client as unknown as new (c: object) => never)({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
  };
  const ctx: DeployContext = {
    clients,
    delayScale: 0,
    signal: options.signal,
    now: () => new Date('2026-01-01T12:00:00Z'),
    io,
  };
  return {
    clients,
    cfn,
    s3,
    ctx,
    io,
    get steps() {
      return io.data('DEPLOY_STEP');
    },
    get events() {
      return io.data('STACK_EVENT');
    },
    get confirmations() {
      return io.requests.filter((r) => r.code === 'CONFIRM_RECREATE').map((r) => r.message);
    },
  };
}

/** The commands a mock received, by name, in order. */
export function callNames(h: Harness): string[] {
  return [...h.cfn.calls(), ...h.s3.calls()].map((c) =>
    (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''),
  );
}
