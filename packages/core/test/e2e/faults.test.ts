/**
 * Faults, interrupts and leftovers (issue 12), end to end: the CLI (in-process, exactly as a user runs
 * it) against a moto server behind the test suite's own fault proxy (test/helpers/moto.ts), which
 * throttles, fails, delays or freezes chosen calls and can "press Ctrl-C" at an exact call. Every
 * case asserts the end state in moto (stack status, change sets left, the bucket), the local state
 * file and what the user was told, not only the exit code.
 *
 * moto never sends a change's `Replacement` (reference/test-peers.md): exactly the case where the
 * stateful gate must not fail open.
 */
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { faultProxy, motoAvailable, startMoto, type FaultProxy, type MotoServer } from '../../../../test/helpers/moto.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { compile } from '../../src/compile/compile.js';
import type { RetryInfo } from '../../src/deploy/poll.js';
import type { DeployContext } from '../../src/deploy/context.js';
import type { DeployStep } from '../../src/deploy/types.js';
import { applyDeploy } from '../../src/actions/apply.js';
import { planDeploy } from '../../src/actions/plan.js';
import type { IoHost } from '../../src/iohost/messages.js';
import { errorOf } from '../../src/testing.js';
import { runCli } from '../helpers/runCli.js';
import { useFakeAwsEnv } from '../helpers/awsEnv.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const hasMoto = motoAvailable();

/** A DynamoDB table whose key comes from the manifest (the first-party scheduling table's key is fixed). */
const TABLE_PLUGIN = `
export default {
  name: 'e2e:table',
  apiVersion: 1,
  key: 'table',
  schema: { type: 'object', additionalProperties: false, properties: { key: { type: 'string', pattern: '^[a-z]+$' } } },
  resources(ctx, options) {
    return {
      Table: {
        Type: 'AWS::DynamoDB::Table',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: options.key, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: options.key, KeyType: 'HASH' }],
        },
      },
    };
  },
};
`;

/** SQS queues (stateful too, by mfinfra's table) with a setting that updates in place. */
const QUEUE_PLUGIN = `
export default {
  name: 'e2e:queues',
  apiVersion: 1,
  key: 'queues',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { names: { type: 'array', items: { type: 'string' } }, visibilityTimeout: { type: 'integer' } },
  },
  resources(ctx, options) {
    return Object.fromEntries(
      options.names.map((n) => ['Queue' + n, { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: options.visibilityTimeout ?? 30 } }]),
    );
  },
};
`;

let seq = 0;

describe.skipIf(!hasMoto)('faults, interrupts and leftovers on moto behind a fault proxy', () => {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let cfn: CloudFormationClient;
  let s3: S3Client;
  let restoreEnv: () => void;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await faultProxy(moto.port);
    restoreEnv = useFakeAwsEnv({ AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
    const direct = { region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    cfn = new CloudFormationClient(direct);
    s3 = new S3Client({ ...direct, forcePathStyle: true });
    // moto loads its CloudFormation backend on the first call (seconds): not inside a timed case.
    await cfn.send(new ListChangeSetsCommand({ StackName: 'warm-up' })).catch(() => undefined);
  }, 60_000);

  afterEach(() => {
    proxy.rules.length = 0;
    proxy.onCall = undefined;
  });

  afterAll(async () => {
    restoreEnv();
    await proxy?.close();
    await moto?.stop();
  });

  /** A fresh folder with a manifest (and the first-party plugins resolvable from it). */
  function project(body: (stack: string) => string): { dir: string; stack: string; write(body: (stack: string) => string): void } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-faults-'));
    symlinkSync(path.join(repo, 'examples', 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    writeFileSync(path.join(dir, 'table.mjs'), TABLE_PLUGIN);
    writeFileSync(path.join(dir, 'queues.mjs'), QUEUE_PLUGIN);
    const stack = `mf-faults-${process.pid}-${++seq}`;
    const write = (b: (stack: string) => string) => writeFileSync(path.join(dir, 'metaflow.infra.yaml'), b(stack));
    write(body);
    process.env.METAFLOW_HOME = path.join(dir, 'metaflow-home');
    return { dir, stack, write };
  }

  const cli = (args: string[], dir: string) => runCli([...args, dir, '--endpoint-url', proxy.endpoint]);

  async function stackStatus(stack: string): Promise<string> {
    try {
      const out = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
      return out.Stacks?.[0]?.StackStatus ?? 'NONE';
    } catch (e) {
      if (/does not exist/.test((e as Error).message)) return 'NONE';
      throw e;
    }
  }

  /**
   * The change sets of a stack that were not executed (none when there is no stack). moto lists
   * executed change sets too, and those of every stack: keep this stack's, by mfinfra's naming.
   */
  async function changeSets(stack: string): Promise<string[]> {
    try {
      const out = await cfn.send(new ListChangeSetsCommand({ StackName: stack }));
      return (out.Summaries ?? [])
        .filter((s) => s.ExecutionStatus !== 'EXECUTE_COMPLETE' && s.ChangeSetName?.startsWith(`mfinfra-${stack}-`))
        .map((s) => `${s.ChangeSetName} ${s.Status} ${s.ExecutionStatus}`);
    } catch (e) {
      if (/does not exist/.test((e as Error).message)) return [];
      throw e;
    }
  }

  async function bucketExists(name: string): Promise<boolean> {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: name }));
      return true;
    } catch {
      return false;
    }
  }

  const stateFile = (dir: string, stack: string) => path.join(dir, '.mfinfra', 'state', `${stack}.json`);
  const appliedTemplate = (dir: string, stack: string) =>
    JSON.parse(readFileSync(stateFile(dir, stack), 'utf8')).template as {
      Resources: Record<string, { Properties?: Record<string, unknown> }>;
    };

  const datastore = (bucket: string) => (stack: string) =>
    `version: 1\nstack: { name: ${stack}, region: us-east-1 }\nplugins: [datastore]\ndatastore: { bucket: { name: ${bucket} }, sysroot: metaflow }\n`;
  const table = (key: string) => (stack: string) =>
    `version: 1\nstack: { name: ${stack}, region: us-east-1 }\nplugins: [./table.mjs]\ntable: { key: ${key} }\n`;
  const queues =
    (names: string[], visibilityTimeout = 30) =>
    (stack: string) =>
      `version: 1\nstack: { name: ${stack}, region: us-east-1 }\nplugins: [./queues.mjs]\nqueues: { names: [${names.join(', ')}], visibilityTimeout: ${visibilityTimeout} }\n`;

  /** Deploy, and check it is there (moto has no stack Outputs, so a datastore apply ends in OUTPUT_MISSING after deploying). */
  async function deployed(p: ReturnType<typeof project>): Promise<void> {
    const r = await cli(['apply', '--yes'], p.dir);
    expect(await stackStatus(p.stack), r.stderr).toBe('CREATE_COMPLETE');
    expect(existsSync(stateFile(p.dir, p.stack))).toBe(true);
  }

  describe('item 1: the stateful gate fails closed when the change set is silent about replacement', () => {
    it('renaming datastore.bucket.name: plan exits 4, apply --yes refuses, the bucket and its stack stay, no change set is left', async () => {
      const one = `mf-faults-${process.pid}-bucket-one`;
      const p = project(datastore(one));
      await deployed(p);
      expect(await bucketExists(one)).toBe(true);
      const before = appliedTemplate(p.dir, p.stack);

      p.write(datastore(`mf-faults-${process.pid}-bucket-two`));
      const plan = await cli(['plan', '--json'], p.dir);
      expect(plan.code, plan.stderr).toBe(4);
      const out = JSON.parse(plan.stdout);
      const bucket = out.preview.changes.find((c: { logicalId: string }) => c.logicalId === 'DatastoreBucket');
      expect(bucket).toMatchObject({ action: 'modify', replacement: true, replacementSource: 'predicted', stateful: true });
      expect(bucket.properties.map((x: { path: string }) => x.path)).toContain('BucketName');
      expect(out.preview.summary.replace).toBe(1);
      expect(out.gates.blocked[0]).toMatchObject({ gate: 'stateful', logicalId: 'DatastoreBucket' });
      expect(out.gates.blocked[0].reason).toMatch(/would be replaced \(predicted from the template diff/);
      // item 2: a refused change is never left executable.
      expect(out).toMatchObject({ changeSetId: null, changeSetDeleted: 'refused by a safety gate' });
      expect(await changeSets(p.stack)).toEqual([]);

      proxy.calls.length = 0;
      const apply = await cli(['apply', '--yes'], p.dir);
      expect(apply.code, apply.stderr).toBe(4);
      expect(apply.stderr).toMatch(/refused by a safety gate: DatastoreBucket \(AWS::S3::Bucket\) would be replaced/);
      expect(apply.stderr).toMatch(/--allow-replace DatastoreBucket/);
      expect(proxy.calls).not.toContain('ExecuteChangeSet');
      expect(proxy.calls).toContain('DeleteChangeSet');
      expect(await bucketExists(one)).toBe(true);
      expect(await stackStatus(p.stack)).toBe('CREATE_COMPLETE');
      expect(await changeSets(p.stack)).toEqual([]);
      expect(appliedTemplate(p.dir, p.stack)).toEqual(before);
    });

    it("changing the DynamoDB table's key: plan exits 4 and apply --yes refuses; the table is not replaced", async () => {
      const p = project(table('pathspec'));
      await deployed(p);
      p.write(table('runid'));
      const plan = await cli(['plan'], p.dir);
      expect(plan.code, plan.stderr).toBe(4);
      expect(plan.stderr).toMatch(/Table \(AWS::DynamoDB::Table\) would be replaced/);
      expect(plan.stderr).toMatch(/KeySchema/);
      expect(plan.stderr).toMatch(/the change set was deleted: a change a safety gate refuses is never left executable/);
      expect(await changeSets(p.stack)).toEqual([]);
      proxy.calls.length = 0;
      const apply = await cli(['apply', '--yes'], p.dir);
      expect(apply.code, apply.stderr).toBe(4);
      expect(proxy.calls).not.toContain('ExecuteChangeSet');
      expect(await stackStatus(p.stack)).toBe('CREATE_COMPLETE');
      expect(await changeSets(p.stack)).toEqual([]);
      expect(appliedTemplate(p.dir, p.stack).Resources.Table!.Properties!.KeySchema).toEqual([
        { AttributeName: 'pathspec', KeyType: 'HASH' },
      ]);
    });

    it('an update the template diff predicts in place (a queue setting) still goes through', async () => {
      const p = project(queues(['Jobs'], 30));
      await deployed(p);
      p.write(queues(['Jobs'], 60));
      const r = await cli(['apply', '--yes', '--json'], p.dir);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.preview.changes[0]).toMatchObject({ logicalId: 'QueueJobs', replacement: false, replacementSource: 'predicted' });
      expect(await stackStatus(p.stack)).toBe('UPDATE_COMPLETE');
      expect(appliedTemplate(p.dir, p.stack).Resources.QueueJobs!.Properties!.VisibilityTimeout).toBe(60);
    });
  });

  describe('item 2: a refusal never leaves an executable change set without saying so', () => {
    it('DeleteChangeSet failing after a refusal: apply exits 4 and names the change set left, still executable, and how to delete it', async () => {
      const one = `mf-faults-${process.pid}-bucket-keep`;
      const p = project(datastore(one));
      await deployed(p);
      p.write(datastore(`mf-faults-${process.pid}-bucket-other`));
      proxy.rules.push({ call: 'DeleteChangeSet', fault: 'error500' });
      proxy.calls.length = 0;
      const apply = await cli(['apply', '--yes'], p.dir);
      expect(apply.code, apply.stderr).toBe(4);
      expect(apply.stderr).toMatch(/refused by a safety gate: DatastoreBucket/);
      expect(apply.stderr).toMatch(/LEFT BEHIND: change set mfinfra-mf-faults-\S+ on stack \S+, still executable/);
      expect(apply.stderr).toMatch(/aws cloudformation delete-change-set --stack-name /);
      // What it said is what is there: the change set is left, nothing ran, the bucket is intact.
      expect(await changeSets(p.stack)).toEqual([expect.stringMatching(/ CREATE_COMPLETE AVAILABLE$/)]);
      expect(proxy.calls).not.toContain('ExecuteChangeSet');
      expect(await bucketExists(one)).toBe(true);

      // plan: the preview and the refusal (exit 4), and the same loud leftover line.
      const plan = await cli(['plan', '--json'], p.dir);
      expect(plan.code, plan.stderr).toBe(4);
      expect(JSON.parse(plan.stdout).leftovers).toEqual([expect.objectContaining({ what: expect.stringMatching(/still executable/) })]);
      expect(plan.stderr).toMatch(/LEFT BEHIND: change set/);
      proxy.rules.length = 0;
      // Once DeleteChangeSet works again, a plan cleans up its own refusal.
      const again = await cli(['plan'], p.dir);
      expect(again.code).toBe(4);
      expect((await changeSets(p.stack)).length).toBe(2); // the two left above, named; this run's was deleted
    });
  });

  describe('items 4 and 5: Ctrl-C stops before any further change, and cleans up what the run made', () => {
    const ctrlC = (when: string) => {
      let pressed = false;
      proxy.onCall = (call) => {
        if (!pressed && call === when) {
          pressed = true;
          process.emit('SIGINT');
        }
      };
    };

    it('apply --yes, Ctrl-C while the change set is polled: no ExecuteChangeSet, exit 130, no placeholder stack, no change set', async () => {
      const p = project(queues(['Jobs']));
      ctrlC('DescribeChangeSet');
      const r = await cli(['apply', '--yes'], p.dir);
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(
        /stopped; nothing was deployed: the change set \S+ was deleted with its REVIEW_IN_PROGRESS placeholder stack/,
      );
      expect(proxy.calls).not.toContain('ExecuteChangeSet');
      expect(await stackStatus(p.stack)).toBe('NONE');
      expect(await changeSets(p.stack)).toEqual([]);
      expect(existsSync(stateFile(p.dir, p.stack))).toBe(false);
    });

    it('apply --yes of an update, Ctrl-C while the deployed template is read: nothing executed, the stack and local state unchanged', async () => {
      const p = project(queues(['Jobs'], 30));
      await deployed(p);
      const before = appliedTemplate(p.dir, p.stack);
      p.write(queues(['Jobs'], 90));
      proxy.calls.length = 0;
      ctrlC('GetTemplate');
      const r = await cli(['apply', '--yes'], p.dir);
      expect(r.code, r.stderr).toBe(130);
      expect(proxy.calls).not.toContain('ExecuteChangeSet');
      expect(proxy.calls).toContain('DeleteChangeSet');
      expect(await stackStatus(p.stack)).toBe('CREATE_COMPLETE');
      expect(await changeSets(p.stack)).toEqual([]);
      expect(appliedTemplate(p.dir, p.stack)).toEqual(before);
    });

    it('destroy --yes, Ctrl-C while the resources are listed: no DeleteStack, exit 130, the stack and its local state stay', async () => {
      const p = project(queues(['Jobs']));
      await deployed(p);
      proxy.calls.length = 0;
      ctrlC('ListStackResources');
      const r = await cli(['destroy', '--yes'], p.dir);
      expect(r.code, r.stderr).toBe(130);
      expect(proxy.calls).not.toContain('DeleteStack');
      expect(await stackStatus(p.stack)).toBe('CREATE_COMPLETE');
      expect(existsSync(stateFile(p.dir, p.stack))).toBe(true);
    });

    it('plan, Ctrl-C while the change set is polled: exit 130, the placeholder stack and change set are deleted', async () => {
      const p = project(queues(['Jobs']));
      ctrlC('DescribeChangeSet');
      const r = await cli(['plan'], p.dir);
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/REVIEW_IN_PROGRESS placeholder stack/);
      expect(proxy.calls).toContain('DeleteStack');
      expect(await stackStatus(p.stack)).toBe('NONE');
      expect(await changeSets(p.stack)).toEqual([]);
    });

    it('plan of an update, Ctrl-C after the change set is ready (reading the template): exit 130, no change set left', async () => {
      const p = project(queues(['Jobs'], 30));
      await deployed(p);
      p.write(queues(['Jobs'], 45));
      ctrlC('GetTemplate');
      const r = await cli(['plan', '--json'], p.dir);
      expect(r.code, r.stderr).toBe(130);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
      expect(await stackStatus(p.stack)).toBe('CREATE_COMPLETE');
      expect(await changeSets(p.stack)).toEqual([]);
    });
  });

  /**
   * The deploy engine the CLI calls, with polls that do not sleep (delayScale 0), a short request
   * timeout and retry budget, so waits that would take minutes at real speed take a second or two.
   */
  function engine(options: { requestTimeoutMs?: number; retryBudgetMs?: number } = {}) {
    const clients = createAwsClients({
      endpointUrl: proxy.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
    });
    const retries: RetryInfo[] = [];
    const steps: DeployStep[] = [];
    // An IoHost that keeps the retries and steps (nothing is asked: every apply here passes yes).
    const io: IoHost = {
      notify: (m) => {
        if (m.code === 'RETRY') retries.push(m.data);
        if (m.code === 'DEPLOY_STEP') steps.push(m.data);
      },
      request: async (q) => q.defaultResponse,
    };
    const ctx: DeployContext = { clients, delayScale: 0, retryBudgetMs: options.retryBudgetMs ?? 1_500, io };
    return { ctx, retries, steps };
  }
  const compiledOf = (dir: string) => compile({ manifest: dir });

  describe('item 6: long waits say what they wait for, and give up in bounded time', () => {
    it('throttled on every poll: each retry says what it waits for; gives up with a clear error; nothing is left', async () => {
      const p = project(queues(['Jobs']));
      const { ctx, retries } = engine();
      proxy.rules.push({ call: 'DescribeChangeSet', fault: 'throttle' });
      const started = Date.now();
      const e = await errorOf(planDeploy(await compiledOf(p.dir), ctx));
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(e.code).toBe('AWS_ERROR');
      expect(e.message).toMatch(/AWS kept throttling the requests to wait for the change set .*gave up after \d+ failed attempts in a row/);
      expect(retries.length).toBeGreaterThan(1);
      expect(retries[0]).toMatchObject({
        what: 'wait for the change set',
        reason: expect.stringMatching(/^Throttling \(HTTP 400\): Rate exceeded/),
      });
      expect(await stackStatus(p.stack)).toBe('NONE');
      expect(await changeSets(p.stack)).toEqual([]);
    });

    it('a frozen endpoint cannot hold the CLI: requests time out, the wait gives up, and the change set and placeholder are deleted', async () => {
      const p = project(queues(['Jobs']));
      const { ctx, retries } = engine({ requestTimeoutMs: 1_000, retryBudgetMs: 2_000 });
      proxy.rules.push({ call: 'DescribeChangeSet', fault: 'freeze' });
      const started = Date.now();
      const e = await errorOf(planDeploy(await compiledOf(p.dir), ctx));
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(e.message).toMatch(/wait for the change set/);
      expect(e.message).toMatch(/gave up after \d+ failed attempts/);
      expect(retries[0]!.reason).toMatch(/TimeoutError/);
      expect(await stackStatus(p.stack)).toBe('NONE');
      expect(await changeSets(p.stack)).toEqual([]);
    });

    it('the CLI prints a progress line for each retry: what it waits for, why, and when it gives up', async () => {
      const p = project(queues(['Jobs']));
      proxy.rules.push({ call: 'DescribeChangeSet', fault: 'throttle', times: 1 });
      const r = await cli(['plan', '--discard'], p.dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /• still trying to wait for the change set: Throttling \(HTTP 400\): Rate exceeded; next try in 2 s, giving up in \d+ s/,
      );
      expect(await changeSets(p.stack)).toEqual([]);
    });
  });

  describe('item 7: leftovers after a failed execute, and honest reports after one', () => {
    it('ExecuteChangeSet throttled every time: nothing ran, the change set and REVIEW_IN_PROGRESS placeholder are deleted, and it says so', async () => {
      const p = project(queues(['Jobs']));
      proxy.rules.push({ call: 'ExecuteChangeSet', fault: 'throttle' });
      const r = await cli(['apply', '--yes'], p.dir);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/AWS kept throttling the requests to execute the change set/);
      expect(r.stderr).toMatch(/nothing was deployed: the change set \S+ was deleted with its REVIEW_IN_PROGRESS placeholder stack/);
      expect(proxy.calls).toContain('ExecuteChangeSet');
      expect(await stackStatus(p.stack)).toBe('NONE');
      expect(await changeSets(p.stack)).toEqual([]);
      expect(existsSync(stateFile(p.dir, p.stack))).toBe(false);
    });

    it('events unreadable after the execute: the stack is followed by status, the local state is written, and the user is told', async () => {
      const p = project(queues(['Jobs']));
      const { ctx } = engine();
      proxy.onCall = (call) => {
        if (call === 'ExecuteChangeSet') proxy.rules.push({ call: 'DescribeStackEvents', fault: 'error500' });
      };
      const out = await applyDeploy(await compiledOf(p.dir), ctx, { yes: true, outputs: { force: true } });
      expect(out.result).toMatchObject({ status: 'deployed', finalStatus: 'CREATE_COMPLETE' });
      expect(out.result.eventsUnavailable).toMatch(/read the stack events/);
      expect(await stackStatus(p.stack)).toBe('CREATE_COMPLETE');
      expect(appliedTemplate(p.dir, p.stack).Resources.QueueJobs).toBeDefined();
    });

    it('the stack cannot be followed after the execute (frozen): the error says the change set was already executed, and no state is recorded', async () => {
      const p = project(queues(['Jobs']));
      const { ctx } = engine({ requestTimeoutMs: 1_000, retryBudgetMs: 2_000 });
      proxy.onCall = (call) => {
        if (call === 'ExecuteChangeSet') proxy.rules.push({ call: 'DescribeStacks', fault: 'freeze' });
      };
      const e = await errorOf(applyDeploy(await compiledOf(p.dir), ctx, { yes: true }));
      expect(e.message).toMatch(/the change set mfinfra-\S+ was executed, but mfinfra could not follow stack \S+ to the end/);
      expect(e.hint).toMatch(/continues in AWS/);
      proxy.rules.length = 0;
      expect(await stackStatus(p.stack)).toBe('CREATE_COMPLETE');
      expect(existsSync(stateFile(p.dir, p.stack))).toBe(false);
    });
  });

  describe('item 8: one deploy of a stack at a time', () => {
    it('two applies of one stack at once: the second is refused by the lock before any AWS call; the state records what is deployed', async () => {
      const p = project(queues(['Jobs'], 30));
      const a = engine();
      const b = engine();
      const first = await compiledOf(p.dir);
      p.write(queues(['Jobs', 'Other'], 30));
      const second = await compiledOf(p.dir);
      proxy.calls.length = 0;
      const results = await Promise.allSettled([applyDeploy(first, a.ctx, { yes: true }), applyDeploy(second, b.ctx, { yes: true })]);
      // Exactly one wins (whichever took the lock first); the other never reached AWS.
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      const loser = (results[1 - winner] as PromiseRejectedResult).reason as Error & { code: string; hint: string };
      expect(loser.code).toBe('STACK_LOCKED');
      expect(loser.message).toMatch(
        new RegExp(`another mfinfra apply of stack ${p.stack} is running from this folder \\(pid ${process.pid}`),
      );
      expect(loser.hint).toMatch(/if no mfinfra is running, delete .*\.lock$/);
      expect(proxy.calls.filter((c) => c === 'CreateChangeSet')).toHaveLength(1);
      // The state is the template that is deployed, and the lock is gone.
      const deployedTemplate = (await cfn.send(new GetTemplateCommand({ StackName: p.stack }))).TemplateBody!;
      const expected = winner === 0 ? ['QueueJobs'] : ['QueueJobs', 'QueueOther'];
      expect(Object.keys(JSON.parse(deployedTemplate).Resources).sort()).toEqual(expected);
      expect(Object.keys(appliedTemplate(p.dir, p.stack).Resources).sort()).toEqual(expected);
      expect(existsSync(path.join(p.dir, '.mfinfra', 'state', `${p.stack}.lock`))).toBe(false);
    });
  });

  describe('item 9: destroy and plan leave no stale state or change sets', () => {
    it('destroy that finds no stack removes the local state, so plan --offline no longer says "no changes"', async () => {
      const p = project(queues(['Jobs']));
      await deployed(p);
      await cfn.send(new DeleteStackCommand({ StackName: p.stack })); // deleted elsewhere
      const r = await cli(['destroy', '--yes'], p.dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/nothing to destroy/);
      expect(r.stderr).toMatch(/removed the local state/);
      expect(existsSync(stateFile(p.dir, p.stack))).toBe(false);
      const offline = await runCli(['plan', '--offline', '--json', p.dir]);
      expect(JSON.parse(offline.stdout).preview.summary.add).toBe(1);
    });

    it('destroy says the Metaflow config now points at deleted resources', async () => {
      const p = project(datastore(`mf-faults-${process.pid}-bucket-cfg`));
      const home = process.env.METAFLOW_HOME!;
      await deployed(p);
      // moto has no stack Outputs, so write the config a deploy would have written (and its record).
      const { mkdirSync } = await import('node:fs');
      mkdirSync(home, { recursive: true });
      writeFileSync(path.join(home, 'config.json'), '{"METAFLOW_DATASTORE_SYSROOT_S3": "s3://gone/metaflow"}\n');
      writeFileSync(
        path.join(home, '.config.json.mfinfra.json'),
        JSON.stringify({ generator: 'mfinfra', stack: p.stack, region: 'us-east-1', updatedAt: new Date().toISOString(), keys: {} }),
      );
      const r = await cli(['destroy', '--yes'], p.dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`note: ${path.join(home, 'config.json')} still points at the deleted stack's resources`);
      expect(await stackStatus(p.stack)).toBe('NONE');
      expect(existsSync(stateFile(p.dir, p.stack))).toBe(false);
    });

    it('a plain apply after plan executes the reviewed change set instead of making another; a stale one is deleted', async () => {
      const p = project(queues(['Jobs'], 30));
      await deployed(p);
      p.write(queues(['Jobs'], 40));
      const stale = JSON.parse((await cli(['plan', '--json'], p.dir)).stdout).changeSetName as string;
      p.write(queues(['Jobs'], 50));
      const reviewed = JSON.parse((await cli(['plan', '--json'], p.dir)).stdout).changeSetName as string;
      // The second plan deleted the first (a different template).
      expect(await changeSets(p.stack)).toEqual([`${reviewed} CREATE_COMPLETE AVAILABLE`]);
      proxy.calls.length = 0;
      const r = await cli(['apply', '--yes', '--json'], p.dir);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).changeSetName).toBe(reviewed);
      expect(r.stderr).toContain(`using change set ${reviewed}, left for review by \`mfinfra plan\``);
      expect(proxy.calls).not.toContain('CreateChangeSet');
      expect(stale).not.toBe(reviewed);
      expect(await changeSets(p.stack)).toEqual([]);
      expect(await stackStatus(p.stack)).toBe('UPDATE_COMPLETE');
      expect(appliedTemplate(p.dir, p.stack).Resources.QueueJobs!.Properties!.VisibilityTimeout).toBe(50);
    });
  });
});
