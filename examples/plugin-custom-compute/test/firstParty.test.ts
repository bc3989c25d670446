/**
 * The contract test: the plugin, installed by package name, beside the real first-party plugins
 * (`@mfinfra/plugin-network`, `-datastore`, `-batch`), compiles to a template cfn-lint accepts.
 * Resolves packages from examples/ (whose package.json depends on all of them).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cfnLint, cfnLintAvailable, compileManifest } from '@mfinfra/core/testing';
import { describe, expect, it } from 'vitest';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const customCompute = path.join(examples, 'custom-compute');

const lint = cfnLintAvailable();

describe('with the real first-party plugins', () => {
  it('compiles examples/custom-compute: GPU compute in the created private subnets, job role on the real datastore bucket', async () => {
    const text = await readFile(path.join(customCompute, 'metaflow.infra.yaml'), 'utf8');
    const result = await compileManifest(text, { cwd: customCompute });
    expect(result.plugins.map((p) => [p.name, p.kind])).toEqual([
      ['mfinfra:datastore', 'first-party'],
      ['mfinfra:network', 'first-party'],
      ['example:gpu-compute', 'package'],
    ]);
    const env = result.template.Resources.GpuComputeEnvironment!;
    const compute = env.Properties!.ComputeResources as Record<string, unknown>;
    const network = result.resourceOwners;
    for (const subnet of compute.Subnets as { Ref: string }[]) expect(network[subnet.Ref]).toBe('network');
    for (const id of [env.DependsOn ?? []].flat()) expect(network[id]).toBe('network');
    const role = JSON.stringify(result.template.Resources.GpuComputeJobRole);
    expect(role).toContain('DatastoreBucket');
    expect(result.configOutputs.filter((c) => c.plugin === 'example:gpu-compute').map((c) => c.key)).toEqual([
      'METAFLOW_BATCH_JOB_QUEUE',
      'METAFLOW_ECS_S3_ACCESS_IAM_ROLE',
    ]);
    if (lint) expect(await cfnLint({ template: result.body })).toEqual({ template: [] });
  });

  it('adds a second queue beside the batch plugin without touching its config keys, and the template lints clean', async () => {
    const result = await compileManifest(
      `version: 1
stack: { name: ml-prod, region: us-west-2 }
plugins: [datastore, network, batch, mfinfra-plugin-gpu-compute]
network: { create: { cidr: 10.30.0.0/16, azs: 2, private: true } }
gpuCompute: { instanceTypes: [g6e], maxVcpus: 32 }
`,
      { cwd: customCompute },
    );
    const owners = Object.fromEntries(result.configOutputs.map((c) => [c.key, c.plugin]));
    expect(owners.METAFLOW_BATCH_JOB_QUEUE).toBe('mfinfra:batch');
    expect(owners.METAFLOW_ECS_S3_ACCESS_IAM_ROLE).toBe('mfinfra:batch');
    expect(Object.keys(result.resourceOwners).filter((id) => result.resourceOwners[id] === 'gpuCompute')).not.toContain(
      'GpuComputeJobRole',
    );
    expect(result.stackOutputs.find((o) => o.name === 'GpuComputeJobQueueArn')?.plugin).toBe('example:gpu-compute');
    if (lint) expect(await cfnLint({ template: result.body })).toEqual({ template: [] });
  });
});
