/**
 * Logical ids and physical names depend only on names the user gave, so a redeploy updates the
 * compute environment in place; only a change CloudFormation must replace renames it.
 */
import { expect, test } from 'vitest';
import { compileBatch, manifest } from './helpers.js';

async function ce(section: string, stack = 'mf-test') {
  const r = await compileBatch(manifest(section, stack));
  const [id, res] = Object.entries(r.template.Resources).find(([, v]) => v.Type === 'AWS::Batch::ComputeEnvironment')!;
  const queue = Object.values(r.template.Resources).find((v) => v.Type === 'AWS::Batch::JobQueue')!;
  return { id, name: res.Properties!.ComputeEnvironmentName, queueName: queue.Properties!.JobQueueName, props: res.Properties! };
}

test('changing instance types, vCPUs, AMI or volume size keeps the logical id and the name', async () => {
  const before = await ce(`  computeEnvironments:\n    - { name: gpu, instanceTypes: [g5], maxVcpus: 64 }\n`);
  const after = await ce(
    `  computeEnvironments:\n    - { name: gpu, instanceTypes: [g6, p4d.24xlarge], minVcpus: 4, maxVcpus: 512, ami: al2, rootVolumeGiB: 300 }\n`,
  );
  expect(after.id).toBe(before.id);
  expect(after.name).toBe(before.name);
  expect(after.queueName).toBe(before.queueName);
  expect([before.id, before.name, before.queueName]).toEqual(['BatchGpuComputeEnvironment', 'mf-test-gpu-ec2', 'mf-test-default']);
  // Batch updates these in place (no replacement): the environment opts into infrastructure updates.
  expect(after.props.ReplaceComputeEnvironment).toBe(false);
});

test('switching to Spot or Fargate keeps the logical id but takes a new name, so CloudFormation can replace it', async () => {
  const names = await Promise.all(
    [
      '{ name: cpu }',
      '{ name: cpu, provisioning: spot }',
      '{ name: cpu, type: fargate }',
      '{ name: cpu, type: fargate, provisioning: spot }',
    ].map((ce1) => ce(`  computeEnvironments:\n    - ${ce1}\n`)),
  );
  expect(new Set(names.map((n) => n.id))).toEqual(new Set(['BatchCpuComputeEnvironment']));
  expect(names.map((n) => n.name)).toEqual(['mf-test-cpu-ec2', 'mf-test-cpu-spot', 'mf-test-cpu-fargate', 'mf-test-cpu-fargate-spot']);
});

test('long stack and environment names are shortened with a stable hash within the 128-character limit', async () => {
  const stack = 'metaflow-' + 'x'.repeat(110);
  const a = await ce(`  computeEnvironments:\n    - { name: gpu-on-demand-large-instances }\n`, stack);
  const b = await ce(`  computeEnvironments:\n    - { name: gpu-on-demand-large-instances, maxVcpus: 8 }\n`, stack);
  expect(String(a.name).length).toBeLessThanOrEqual(128);
  expect(a.name).toBe(b.name);
  expect(a.name).toMatch(/-[0-9a-f]{8}$/);
});
