/**
 * The scheduling plugin with the real network, datastore and batch plugins: the roles point at the
 * real queues, job role and bucket, and the whole template passes cfn-lint.
 */
import { cfnLintAvailable, compileManifest, iamStatements, iamViolations, lintVariants } from '@mfinfra/core/testing';
import batchPlugin from '@mfinfra/plugin-batch';
import datastorePlugin from '@mfinfra/plugin-datastore';
import networkPlugin from '@mfinfra/plugin-network';
import { describe, expect, it } from 'vitest';
import { schedulingPlugin } from '../src/index.js';
import { fakeMetadata } from './fakes.js';

const plugins = {
  network: networkPlugin,
  datastore: datastorePlugin,
  batch: batchPlugin,
  metadata: fakeMetadata,
  scheduling: schedulingPlugin,
};

const text = (datastore: string) =>
  [
    'version: 1',
    'stack: { name: mf-real, region: us-west-2 }',
    'plugins: [network, datastore, batch, metadata, scheduling]',
    'network: { create: { private: true } }',
    `datastore: ${datastore}`,
    'batch:',
    '  computeEnvironments: [{ name: cpu, maxVcpus: 16 }, { name: gpu, instanceTypes: [g5], maxVcpus: 8 }]',
    '  jobQueues: [{ name: default, default: true, computeEnvironments: [cpu] }, { name: gpu, computeEnvironments: [gpu] }]',
    'scheduling: {}',
    '',
  ].join('\n');

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };

const datastores = { 'SSE-S3 datastore': '{}', 'SSE-KMS datastore': '{ bucket: { encryption: { type: sse-kms } } }' };

it.skipIf(!cfnLintAvailable())('every case passes cfn-lint with no errors and no warnings', async () => {
  const { findings, expected } = await lintVariants(
    datastores,
    async (datastore) => (await compileManifest(text(datastore), { plugins })).body,
    {
      region: 'us-west-2',
    },
  );
  expect(findings).toEqual(expected);
});

describe.each(Object.entries(datastores))('%s', (_name, datastore) => {
  it('scopes the Step Functions role to the real queues, bucket and key', async () => {
    const template = JSON.parse((await compileManifest(text(datastore), { plugins })).body) as Template;
    const r = template.Resources;
    expect(iamViolations(template)).toEqual([]);
    const queues = Object.keys(r).filter((id) => r[id]!.Type === 'AWS::Batch::JobQueue');
    expect(queues).toHaveLength(2);
    const submit = iamStatements(template).find((s) => s.where === 'SchedulingStepFunctionsRole' && s.Action.includes('batch:SubmitJob'))!;
    for (const q of queues) expect(submit.Resource).toContainEqual({ Ref: q });
    const sfn = iamStatements(template).filter((s) => s.where === 'SchedulingStepFunctionsRole');
    const bucket = Object.keys(r).find((id) => r[id]!.Type === 'AWS::S3::Bucket' && !id.includes('AccessLogs'))!;
    expect(JSON.stringify(sfn)).toContain(bucket);
    expect(sfn.some((s) => s.Action.includes('kms:GenerateDataKey'))).toBe(datastore.includes('sse-kms'));
  });
});

it('attaches the table policy to the real Batch job role', async () => {
  const template = JSON.parse((await compileManifest(text('{}'), { plugins })).body) as Template;
  const role = template.Resources.SchedulingBatchJobTablePolicy!.Properties.Roles[0].Ref;
  expect(template.Resources[role]!.Type).toBe('AWS::IAM::Role');
  expect(JSON.stringify(template.Resources[role]!.Properties.AssumeRolePolicyDocument)).toContain('ecs-tasks.amazonaws.com');
});
