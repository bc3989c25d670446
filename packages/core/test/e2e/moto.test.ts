/**
 * End to end against a real CloudFormation API implementation: a moto server on loopback, started
 * here and killed after. The CLI runs in-process exactly as a user runs it (flags, --json), through
 * a counting proxy so we know how many AWS calls each command makes.
 *
 * plan → apply --change-set → a manifest change → plan shows it → apply → no-change plan → destroy.
 *
 * moto's gaps (reference/test-peers.md): no stack Outputs, no per-resource events, no Replacement
 * details; those paths are covered with recorded responses in test/deploy/.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingProxy, motoAvailable, startMoto, type MotoServer } from '../../../../test/helpers/moto.js';
import { runCli } from '../helpers/runCli.js';
import { useFakeAwsEnv } from '../helpers/awsEnv.js';

const PLUGIN = `
export default {
  name: 'e2e:queues',
  apiVersion: 1,
  key: 'queues',
  description: 'SQS queues (a test plugin for the moto end-to-end test)',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      names: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9]+$' } },
      visibilityTimeout: { type: 'integer', minimum: 0, maximum: 43200 },
    },
  },
  resources(ctx, options) {
    const out = {};
    for (const name of options.names) {
      out['Queue' + name] = {
        Type: 'AWS::SQS::Queue',
        Properties: { VisibilityTimeout: options.visibilityTimeout ?? 30, SqsManagedSseEnabled: true },
      };
    }
    return out;
  },
};
`;

function manifest(stackName: string, names: string[], visibilityTimeout: number): string {
  return [
    'version: 1',
    `stack: { name: ${stackName}, region: us-east-1, tags: { team: ml, purpose: e2e } }`,
    'plugins: [./queues.mjs]',
    `queues: { names: [${names.join(', ')}], visibilityTimeout: ${visibilityTimeout} }`,
    '',
  ].join('\n');
}

const hasMoto = motoAvailable();

describe.skipIf(!hasMoto)('plan → apply → change → plan → apply → no-change → destroy, on moto', () => {
  let moto: MotoServer;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let dir: string;
  const stackName = `mfinfra-e2e-${process.pid}`;
  let restoreEnv: () => void;
  let endpoint: string;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await countingProxy(moto.port);
    endpoint = `http://127.0.0.1:${proxy.port}`;
    dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-moto-'));
    writeFileSync(path.join(dir, 'queues.mjs'), PLUGIN);
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), manifest(stackName, ['Jobs', 'Events'], 30));
    // (One attempt per call: a retried ExecuteChangeSet after a 500 from moto would re-run half-done work.)
    restoreEnv = useFakeAwsEnv({ AWS_REGION: 'us-east-1', METAFLOW_HOME: path.join(dir, 'metaflow-home') });
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    process.on('warning', onWarning);
  });

  afterAll(async () => {
    process.off('warning', onWarning);
    restoreEnv();
    await proxy?.close();
    await moto?.stop();
  });

  const manifestPath = () => path.join(dir, 'metaflow.infra.yaml');
  let allStderr = '';
  const cli = async (args: string[]) => {
    const r = await runCli([...args, manifestPath(), '--endpoint-url', endpoint, '--json']);
    allStderr += r.stderr;
    return r;
  };

  let changeSetName: string;

  it('plan: a CREATE change set with every resource, left for review; exit 5 with --detailed-exitcode', async () => {
    const r = await cli(['plan', '--detailed-exitcode']);
    expect(r.code).toBe(5);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, stackName, region: 'us-east-1', changeSetType: 'CREATE', status: 'changes', stackStatus: null });
    expect(out.changeSetId).toMatch(/^arn:aws:cloudformation:us-east-1:\d+:changeSet\//);
    expect(out.preview.summary).toEqual({ add: 2, modify: 0, replace: 0, remove: 0, import: 0 });
    expect(out.preview.changes.map((c: { logicalId: string; owner: string }) => `${c.logicalId}:${c.owner}`)).toEqual([
      'QueueEvents:queues',
      'QueueJobs:queues',
    ]);
    changeSetName = out.changeSetName;
  });

  it('apply --change-set executes the reviewed change set; stack created; state and config written', async () => {
    proxy.calls.length = 0;
    const r = await cli(['apply', '--change-set', changeSetName, '--yes']);
    expect(r.code).toBe(0);
    // Progress goes to stderr (stdout holds only the JSON): the step, then the stack events with a count.
    expect(r.stderr).toContain(`• executing change set ${changeSetName} on ${stackName}`);
    expect(r.stderr).toMatch(new RegExp(`0/2 .* CREATE_IN_PROGRESS +AWS::CloudFormation::Stack +${stackName} +User Initiated`));
    expect(r.stderr).toMatch(new RegExp(`CREATE_COMPLETE +AWS::CloudFormation::Stack +${stackName}\n`));
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, status: 'deployed', finalStatus: 'CREATE_COMPLETE', changeSetType: 'CREATE' });
    expect(existsSync(path.join(dir, '.mfinfra', 'state', `${stackName}.json`))).toBe(true);
    expect(out.configFiles).toEqual([expect.objectContaining({ kind: 'metaflow-config', written: true })]);
    // Which AWS calls one `apply --change-set` makes, in order (see the report).
    expect(proxy.calls).toMatchInlineSnapshot(`
      [
        "DescribeChangeSet",
        "DescribeStacks",
        "ExecuteChangeSet",
        "DescribeStackEvents",
        "DescribeStacks",
        "DescribeStackEvents",
        "SetStackPolicy",
      ]
    `);
  });

  it('a manifest change: plan shows the modified and the added queue', async () => {
    writeFileSync(manifestPath(), manifest(stackName, ['Jobs', 'Events', 'Retries'], 120));
    const r = await cli(['plan', '--discard']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ changeSetType: 'UPDATE', status: 'changes', stackStatus: 'CREATE_COMPLETE', changeSetId: null });
    expect(out.preview.changes.map((c: { action: string; logicalId: string }) => `${c.action} ${c.logicalId}`)).toEqual([
      'modify QueueEvents',
      'modify QueueJobs',
      'add QueueRetries',
    ]);
  });

  it('apply / destroy without --yes and without a terminal: refused before any AWS call (exit 2)', async () => {
    proxy.calls.length = 0;
    for (const command of ['apply', 'destroy']) {
      const r = await cli([command]);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).error).toMatchObject({
        code: 'CONFIRMATION_REQUIRED',
        message: `${command === 'apply' ? 'apply to' : 'destroy of'} stack ${stackName} needs a confirmation, but the terminal (TTY) is not attached`,
      });
    }
    expect(proxy.calls).toEqual([]);
  });

  it('apply: creates, executes and follows a fresh change set', async () => {
    proxy.calls.length = 0;
    const r = await cli(['apply', '--yes']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, status: 'deployed', finalStatus: 'UPDATE_COMPLETE', changeSetType: 'UPDATE' });
    expect(proxy.calls).toMatchInlineSnapshot(`
      [
        "ListChangeSets",
        "DescribeStacks",
        "CreateChangeSet",
        "DescribeChangeSet",
        "GetTemplate",
        "ExecuteChangeSet",
        "DescribeStackEvents",
        "DescribeStacks",
        "DescribeStackEvents",
        "SetStackPolicy",
      ]
    `);
  });

  it('plan with nothing to change: "nothing to deploy", exit 0 even with --detailed-exitcode, change set deleted', async () => {
    // Endpoint from the SDK's own AWS_ENDPOINT_URL setting this time (no --endpoint-url).
    process.env.AWS_ENDPOINT_URL = endpoint;
    try {
      const r = await runCli(['plan', manifestPath(), '--json', '--detailed-exitcode']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ ok: true, status: 'no-changes', changeSetId: null, changeSetType: 'UPDATE' });
      // moto 5.2 answers like AWS: a FAILED change set with this reason (older moto: an empty completed one, or a ValidationError; all are handled).
      expect(out.noChangeReason).toMatchInlineSnapshot(
        `"The submitted information didn't contain changes. Submit different information to create a change set."`,
      );
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
  });

  it('destroy: lists what is deleted, deletes, removes the local state', async () => {
    const r = await cli(['destroy', '--yes']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, status: 'deleted', finalStatus: 'DELETE_COMPLETE', retained: [] });
    expect(out.resources.map((x: { logicalId: string; outcome: string }) => `${x.outcome} ${x.logicalId}`)).toEqual([
      'delete QueueEvents',
      'delete QueueJobs',
      'delete QueueRetries',
    ]);
    expect(existsSync(path.join(dir, '.mfinfra', 'state', `${stackName}.json`))).toBe(false);
    const again = await cli(['destroy', '--yes']);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, status: 'no-stack' });
    expect(readFileSync(manifestPath(), 'utf8')).toContain('Retries');
  });

  it('a template over 51,200 bytes goes through a private S3 staging bucket (created) as TemplateURL', async () => {
    const bigDir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-moto-big-'));
    writeFileSync(path.join(bigDir, 'queues.mjs'), PLUGIN);
    const names = Array.from({ length: 300 }, (_, i) => `QueueWithALongNameSoTheTemplateIsLarge${i}`);
    writeFileSync(path.join(bigDir, 'metaflow.infra.yaml'), manifest(`${stackName}-big`, names, 60));
    const r = await runCli([
      'plan',
      path.join(bigDir, 'metaflow.infra.yaml'),
      '--endpoint-url',
      endpoint,
      '--json',
      '--discard',
      '--template-bucket',
      `mfinfra-e2e-staging-${process.pid}`,
    ]);
    allStderr += r.stderr;
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.templateUploadedTo).toMatch(
      new RegExp(`^s3://mfinfra-e2e-staging-${process.pid}/mfinfra/${stackName}-big/[0-9a-f]{32}\\.json$`),
    );
    expect(out.preview.summary.add).toBe(300);
    expect(r.stderr).toContain(`(created the private, encrypted bucket mfinfra-e2e-staging-${process.pid})`);
  });

  it("never shows the SDK's Node.js support notice without --debug, nor the SDK's multi-line warning", () => {
    expect(allStderr).not.toMatch(/the AWS SDK for JavaScript will require Node\.js >= 22/);
    expect(allStderr).not.toContain('NodeVersionSupportWarning');
    expect(warnings.filter((w) => /NodeVersionSupportWarning/.test(w))).toEqual([]);
  });
});
