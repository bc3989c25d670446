/**
 * `mfinfra drift` and plan's drift note (issue 12 item 16). moto has no drift detection
 * (reference/test-peers.md): CloudFormation is mocked with its documented response shapes
 * (DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts, DescribeStacks
 * DriftInformation).
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  type Stack,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectDrift } from '../../src/deploy/drift.js';
import { planDeploy } from '../../src/actions/plan.js';
import { renderPreview } from '../../src/preview/render.js';
import { runCli } from '../helpers/runCli.js';
import { availableChangeSet, compiled, CS_ID, harness, stack, STACK, STACK_ID } from './helpers.js';

const DETECTION_ID = 'b78ac9b0-dec1-11e7-a451-503a3407c3e2';

/** Two drifted resources as DescribeStackResourceDrifts returns them (one per page). */
const BUCKET_DRIFT: StackResourceDrift = {
  StackId: STACK_ID,
  LogicalResourceId: 'DatastoreBucket',
  PhysicalResourceId: 'mf-test-datastore-1a2b3c',
  ResourceType: 'AWS::S3::Bucket',
  ExpectedProperties: '{"VersioningConfiguration":{"Status":"Enabled"}}',
  ActualProperties: '{"VersioningConfiguration":{"Status":"Suspended"}}',
  PropertyDifferences: [
    { PropertyPath: '/VersioningConfiguration/Status', ExpectedValue: 'Enabled', ActualValue: 'Suspended', DifferenceType: 'NOT_EQUAL' },
    { PropertyPath: '/Tags/1', ExpectedValue: undefined, ActualValue: '{"Key":"owner","Value":"someone"}', DifferenceType: 'ADD' },
  ],
  StackResourceDriftStatus: 'MODIFIED',
  Timestamp: new Date('2026-01-01T12:05:00Z'),
};
const QUEUE_DRIFT: StackResourceDrift = {
  StackId: STACK_ID,
  LogicalResourceId: 'QueueJobs',
  PhysicalResourceId: 'https://sqs.us-east-1.amazonaws.com/123456789012/mf-test-jobs',
  ResourceType: 'AWS::SQS::Queue',
  StackResourceDriftStatus: 'DELETED',
  Timestamp: new Date('2026-01-01T12:05:00Z'),
};

function mockDrift(h: { cfn: ReturnType<typeof harness>['cfn'] }) {
  h.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
  h.cfn.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: DETECTION_ID });
  h.cfn
    .on(DescribeStackDriftDetectionStatusCommand)
    .resolvesOnce({
      StackId: STACK_ID,
      StackDriftDetectionId: DETECTION_ID,
      DetectionStatus: 'DETECTION_IN_PROGRESS',
      Timestamp: new Date(),
    })
    .resolves({
      StackId: STACK_ID,
      StackDriftDetectionId: DETECTION_ID,
      StackDriftStatus: 'DRIFTED',
      DetectionStatus: 'DETECTION_COMPLETE',
      DriftedStackResourceCount: 2,
      Timestamp: new Date('2026-01-01T12:05:01Z'),
    });
  h.cfn
    .on(DescribeStackResourceDriftsCommand)
    .resolvesOnce({ StackResourceDrifts: [BUCKET_DRIFT], NextToken: 'page2' })
    .resolves({ StackResourceDrifts: [QUEUE_DRIFT] });
}

describe('detectDrift', () => {
  it('DetectStackDrift, waits, reads every page of the drifted resources; a preview from template to actual', async () => {
    const h = harness();
    mockDrift(h);
    const r = await detectDrift(STACK, h.ctx);
    expect(r).toMatchObject({ status: 'DRIFTED', driftedResources: 2, detectionId: DETECTION_ID, stackId: STACK_ID });
    expect(h.cfn.commandCalls(DetectStackDriftCommand)[0]!.args[0].input).toEqual({ StackName: STACK_ID });
    expect(h.cfn.commandCalls(DescribeStackDriftDetectionStatusCommand)).toHaveLength(2);
    expect(h.cfn.commandCalls(DescribeStackResourceDriftsCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: STACK_ID, StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'], NextToken: undefined },
      { StackName: STACK_ID, StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'], NextToken: 'page2' },
    ]);
    expect(r.preview.source).toBe('drift');
    expect(r.preview.summary).toMatchObject({ modify: 1, remove: 1 });
    const bucket = r.preview.changes.find((c) => c.logicalId === 'DatastoreBucket')!;
    expect(bucket.properties).toEqual([
      { path: 'VersioningConfiguration.Status', change: 'modify', before: 'Enabled', after: 'Suspended', replacement: 'never' },
      { path: 'Tags.1', change: 'add', after: { Key: 'owner', Value: 'someone' }, replacement: 'never' },
    ]);
    const terminal = renderPreview(r.preview, 'terminal', { color: false });
    expect(terminal).toMatch(/drift detection/);
    expect(terminal).toMatch(/VersioningConfiguration\.Status/);
    expect(terminal).toMatch(/QueueJobs/);
    const md = renderPreview(r.preview, 'markdown', { color: false });
    expect(md).toMatch(/^### mfinfra drift: `mf-test`/);
    expect(md).toMatch(/drift detection/);
    expect(JSON.parse(renderPreview(r.preview, 'json', { color: false })).changes).toHaveLength(2);
  });

  it('no stack: says so, and starts no detection', async () => {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error(`Stack with id ${STACK} does not exist`), { name: 'ValidationError' }));
    await expect(detectDrift(STACK, h.ctx)).rejects.toThrow(/does not exist .*nothing to check for drift/);
    expect(h.cfn.commandCalls(DetectStackDriftCommand)).toHaveLength(0);
  });
});

describe('mfinfra drift (the CLI, AWS mocked)', () => {
  // Every client the CLI makes (the class's prototype). Made per test: an instance mock elsewhere in
  // this file restores a prototype stub it finds.
  let mock: AwsClientStub<CloudFormationClient>;
  beforeEach(() => {
    mock = mockClient(CloudFormationClient);
  });
  afterEach(() => mock.restore());

  it('--json prints the status and the preview; --format markdown the Markdown shape', async () => {
    mockDrift({ cfn: mock as never });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-drift-'));
    writeFileSync(
      path.join(dir, 'q.mjs'),
      "export default { name: 't:q', apiVersion: 1, key: 'q', schema: { type: 'object' }, resources: () => ({ QueueJobs: { Type: 'AWS::SQS::Queue' } }) };\n",
    );
    writeFileSync(
      path.join(dir, 'metaflow.infra.yaml'),
      `version: 1\nstack: { name: ${STACK}, region: us-east-1 }\nplugins: [./q.mjs]\nq: {}\n`,
    );
    process.env.AWS_ACCESS_KEY_ID ??= 'x';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'y';
    const json = await runCli(['drift', dir, '--json']);
    expect(json.code, json.stdout + json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, status: 'DRIFTED', driftedResources: 2, preview: { source: 'drift' } });
    mock.reset();
    mockDrift({ cfn: mock as never });
    const md = await runCli(['drift', dir, '--format', 'markdown']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/### mfinfra drift/);
    expect(md.stderr).toMatch(/has drifted \(DRIFTED\): 2 resources differ from the template/);
  });
});

describe('plan says when the stack has drifted since the last detection', () => {
  /** The notes of a plan of a stack whose DescribeStacks has this DriftInformation, its change set adding QueueJobs. */
  async function planNotes(driftInformation: Stack['DriftInformation']): Promise<string> {
    const h = harness();
    h.cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE', { DriftInformation: driftInformation }));
    h.cfn.on(ListChangeSetsCommand).resolves({ Summaries: [] });
    h.cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: {} }) });
    h.cfn.on(CreateChangeSetCommand).resolves({ Id: CS_ID, StackId: STACK_ID });
    h.cfn.on(DescribeChangeSetCommand).resolves(availableChangeSet());
    const { preview } = await planDeploy(await compiled(), h.ctx);
    return preview!.notes.join('\n');
  }

  it("DescribeStacks' DriftInformation DRIFTED → a note in the plan's preview", async () => {
    expect(await planNotes({ StackDriftStatus: 'DRIFTED', LastCheckTimestamp: new Date('2026-01-01T09:00:00Z') })).toMatch(
      /stack mf-test had drifted from its template when drift was last detected \(detected 2026-01-01T09:00:00\.000Z\).*run `mfinfra drift`/,
    );
  });

  it('IN_SYNC or never checked: no note', async () => {
    expect(await planNotes({ StackDriftStatus: 'IN_SYNC' })).not.toMatch(/drift/);
  });
});
