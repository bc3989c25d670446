/**
 * The stack policy that guards stateful resources server-side: what it denies, and in which order
 * apply lifts and restores it around ExecuteChangeSet (aws-sdk-client-mock; moto stores the policy:
 * see the end-to-end test below).
 */
import { ExecuteChangeSetCommand, GetStackPolicyCommand, SetStackPolicyCommand } from '@aws-sdk/client-cloudformation';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoAvailable, startMoto, type MotoServer } from '../../../../test/helpers/moto.js';
import * as sdk from '../helpers/cloudformationSdk.js';
import { runCli } from '../helpers/runCli.js';
import { useFakeAwsEnv } from '../helpers/awsEnv.js';
import { getStackPolicy, stackPolicyFor, withStackPolicy } from '../../src/deploy/stackPolicy.js';
import type { CfnTemplate } from '../../src/compile/template.js';
import { harness, STACK } from './helpers.js';

const template = {
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket' },
    Database: { Type: 'AWS::RDS::DBInstance' },
    Role: { Type: 'AWS::IAM::Role' },
  },
} as unknown as CfnTemplate;

const policyOf = (input: { StackPolicyBody?: string }) => JSON.parse(input.StackPolicyBody!);

describe('stack policy', () => {
  it('allows every update but denies Update:Replace and Update:Delete on the stateful resources, minus the ones allowed', () => {
    expect(stackPolicyFor(template)).toEqual({
      Statement: [
        { Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Action: ['Update:Replace', 'Update:Delete'],
          Principal: '*',
          Resource: ['LogicalResourceId/Bucket', 'LogicalResourceId/Database'],
        },
      ],
    });
    expect(stackPolicyFor(template, ['Database']).Statement[1]!.Resource).toEqual(['LogicalResourceId/Bucket']);
    expect(stackPolicyFor(template, ['Bucket', 'Database']).Statement).toHaveLength(1);
  });

  it('--allow-replace: lifts the deny for that resource before ExecuteChangeSet and puts the full policy back after', async () => {
    const h = harness();
    const order: string[] = [];
    h.cfn.on(SetStackPolicyCommand).callsFake((input) => {
      order.push(`set deny ${JSON.stringify(policyOf(input).Statement[1]?.Resource ?? [])}`);
      return {};
    });
    await withStackPolicy(h.ctx, { stackName: STACK, exists: true }, template, ['Database'], async () => {
      order.push('execute');
      return 'deployed';
    });
    expect(order).toEqual([
      'set deny ["LogicalResourceId/Bucket"]',
      'execute',
      'set deny ["LogicalResourceId/Bucket","LogicalResourceId/Database"]',
    ]);
  });

  it('puts the full policy back when the deploy fails, and reports the deploy error', async () => {
    const h = harness();
    const order: string[] = [];
    h.cfn.on(SetStackPolicyCommand).callsFake((input) => {
      order.push(`set ${policyOf(input).Statement[1].Resource.length}`);
      return {};
    });
    await expect(
      withStackPolicy(h.ctx, { stackName: STACK, exists: true }, template, ['Database'], async () => {
        order.push('execute');
        throw new Error('UPDATE_ROLLBACK_COMPLETE');
      }),
    ).rejects.toThrow('UPDATE_ROLLBACK_COMPLETE');
    expect(order).toEqual(['set 1', 'execute', 'set 2']);
  });

  it('a new stack gets the policy once it exists; nothing is lifted without --allow-replace', async () => {
    const h = harness();
    const order: string[] = [];
    h.cfn.on(SetStackPolicyCommand).callsFake(() => (order.push('set'), {}));
    h.cfn.on(ExecuteChangeSetCommand).callsFake(() => (order.push('ExecuteChangeSet'), {}));
    await withStackPolicy(h.ctx, { stackName: STACK, exists: false }, template, [], async () => {
      await h.ctx.clients.cloudFormation.send(new ExecuteChangeSetCommand({ ChangeSetName: 'cs', StackName: STACK }));
    });
    expect(order).toEqual(['ExecuteChangeSet', 'set']);
    h.cfn.on(GetStackPolicyCommand).resolves({ StackPolicyBody: JSON.stringify(stackPolicyFor(template)) });
    expect(await getStackPolicy(h.ctx, STACK)).toEqual(stackPolicyFor(template));
  });
});

const QUEUES_PLUGIN = `
export default {
  name: 'e2e:queues',
  apiVersion: 1,
  key: 'queues',
  schema: { type: 'object', properties: { names: { type: 'array', items: { type: 'string' } }, timeout: { type: 'integer' } } },
  resources(ctx, options) {
    const out = {};
    for (const name of options.names) out['Queue' + name] = { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: options.timeout } };
    return out;
  },
};
`;

describe.skipIf(!motoAvailable())('stack policy on moto (it stores stack policies)', () => {
  let moto: MotoServer;
  let dir: string;
  let restoreEnv: () => void;
  const stackName = `mfinfra-policy-${process.pid}`;
  const write = (timeout: number) =>
    writeFileSync(
      path.join(dir, 'metaflow.infra.yaml'),
      `version: 1\nstack: { name: ${stackName}, region: us-east-1 }\nplugins: [./queues.mjs]\nqueues: { names: [Jobs, Events], timeout: ${timeout} }\n`,
    );

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-policy-'));
    writeFileSync(path.join(dir, 'queues.mjs'), QUEUES_PLUGIN);
    restoreEnv = useFakeAwsEnv({ AWS_REGION: 'us-east-1', METAFLOW_HOME: path.join(dir, 'metaflow-home') });
  }, 60_000);

  afterAll(async () => {
    restoreEnv();
    await moto?.stop();
  });

  const policy = async () => {
    const cfn = new sdk.CloudFormationClient({ endpoint: moto.endpoint, region: 'us-east-1', maxAttempts: 1 });
    const out = await cfn.send(new sdk.GetStackPolicyCommand({ StackName: stackName }));
    return JSON.parse(out.StackPolicyBody ?? '{}');
  };

  it('apply sets the policy on the new stack; apply --allow-replace puts the full policy back afterwards', async () => {
    write(30);
    const first = await runCli(['apply', dir, '--yes', '--json', '--endpoint-url', moto.endpoint]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const denied = ['LogicalResourceId/QueueEvents', 'LogicalResourceId/QueueJobs'];
    expect((await policy()).Statement[1]).toEqual({
      Effect: 'Deny',
      Action: ['Update:Replace', 'Update:Delete'],
      Principal: '*',
      Resource: denied,
    });
    write(60);
    const second = await runCli(['apply', dir, '--yes', '--json', '--allow-replace', 'QueueJobs', '--endpoint-url', moto.endpoint]);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect((await policy()).Statement[1].Resource).toEqual(denied);
  }, 120_000);
});
