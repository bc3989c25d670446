/**
 * Every manifest mistake the batch plugin catches: code, message and the line:column it points at.
 */
import { describe, expect, test } from 'vitest';
import { compileBatch, compileBatchError, manifest, problems } from './helpers.js';

describe('compute environment mistakes', () => {
  test('minVcpus above maxVcpus, desiredVcpus outside the range', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - name: cpu
      minVcpus: 32
      maxVcpus: 16
    - name: big
      minVcpus: 4
      desiredVcpus: 200
      maxVcpus: 128
  jobQueues:
    - { name: q, computeEnvironments: [cpu, big] }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "9:17 BATCH_VCPUS compute environment "cpu": minVcpus (32) is more than maxVcpus (16)",
        "13:21 BATCH_VCPUS compute environment "big": desiredVcpus (200) is outside [minVcpus, maxVcpus] = [4, 128]",
      ]
    `);
  });

  test('bidPercentage and a Spot allocation strategy on an on-demand environment', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - name: cpu
      provisioning: on-demand
      bidPercentage: 60
      allocationStrategy: SPOT_CAPACITY_OPTIMIZED
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "10:22 BATCH_BID_ON_DEMAND compute environment "cpu": bidPercentage applies only to Spot capacity",
        "11:27 BATCH_SPOT_STRATEGY_ON_DEMAND compute environment "cpu": SPOT_CAPACITY_OPTIMIZED is a Spot allocation strategy, but the environment is on-demand",
      ]
    `);
  });

  test('GPU instance types on Fargate, and Fargate with instanceTypes', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - name: gpu
      type: fargate
      instanceTypes: [c5, g5]
    - name: small
      type: fargate
      instanceTypes: [c5]
  jobQueues:
    - { name: q, computeEnvironments: [gpu, small] }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "10:22 BATCH_FARGATE_GPU compute environment "gpu": Fargate has no GPUs, so it cannot run "g5"",
        "13:22 BATCH_FARGATE_OPTION compute environment "small": Fargate compute environments do not take instanceTypes",
      ]
    `);
  });

  test('EC2-only settings on Fargate', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - name: small
      type: fargate
      provisioning: spot
      minVcpus: 2
      allocationStrategy: BEST_FIT_PROGRESSIVE
      bidPercentage: 50
      imageId: ami-0123456789abcdef0
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "11:17 BATCH_FARGATE_OPTION compute environment "small": minVcpus applies only to EC2 compute environments, not Fargate",
        "12:27 BATCH_FARGATE_OPTION compute environment "small": allocationStrategy applies only to EC2 compute environments, not Fargate",
        "13:22 BATCH_FARGATE_OPTION compute environment "small": bidPercentage applies only to EC2 Spot, not Fargate",
        "14:16 BATCH_FARGATE_OPTION compute environment "small": imageId applies only to EC2 compute environments, not Fargate",
      ]
    `);
  });

  test('invalid instance type names', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - name: cpu
      instanceTypes: [c5, C5.large, c5.huge, large, c5.large.x, optimal, p4d.24xlarge, c99, zz9.large]
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "9:27 BATCH_INSTANCE_TYPE compute environment "cpu": "C5.large" is not an EC2 instance type: instance types are lowercase",
        "9:37 BATCH_INSTANCE_TYPE compute environment "cpu": "c5.huge" is not an EC2 instance type: "huge" is not an instance size of c5",
        "9:46 BATCH_INSTANCE_TYPE compute environment "cpu": "large" is not an EC2 instance type: "large" is not an instance family",
        "9:53 BATCH_INSTANCE_TYPE compute environment "cpu": "c5.large.x" is not an EC2 instance type",
        "9:88 BATCH_INSTANCE_TYPE compute environment "cpu": "c99" is not an EC2 instance type: "c99" is not an instance family",
        "9:93 BATCH_INSTANCE_TYPE compute environment "cpu": "zz9.large" is not an EC2 instance type: "zz9" is not an instance family",
      ]
    `);
  });

  test('duplicate compute environment names', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - name: cpu
    - name: cpu
      maxVcpus: 8
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "9:13 BATCH_DUPLICATE_NAME compute environment name "cpu" is used twice (also at computeEnvironments[0])",
      ]
    `);
  });

  test('rootVolumeGiB with your own launch template', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - name: cpu
      launchTemplate: { name: my-template }
      rootVolumeGiB: 200
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "10:22 BATCH_LAUNCH_TEMPLATE compute environment "cpu": rootVolumeGiB sizes the launch template mfinfra makes, but launchTemplate names your own",
      ]
    `);
  });

  test('schema errors point at the value: bad name, bid over 100, unknown key', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - name: CPU_1
      provisioning: spot
      bidPercentage: 150
      instanceType: [c5]
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "8:13 MANIFEST_INVALID batch.computeEnvironments[0].name is not valid: "CPU_1"",
        "10:22 MANIFEST_INVALID batch.computeEnvironments[0].bidPercentage must be <= 100, not 150",
        "11:7 MANIFEST_INVALID unknown key "instanceType" in batch.computeEnvironments[0]",
      ]
    `);
  });
});

test('FullAccess, AdministratorAccess and PowerUserAccess are refused on the job role', async () => {
  expect(
    await problems(
      manifest(`  jobRole:
    managedPolicyArns:
      - arn:aws:iam::aws:policy/AmazonS3FullAccess
      - arn:aws:iam::123456789012:policy/read-feature-store
      - arn:aws:iam::aws:policy/AdministratorAccess
      - arn:aws-us-gov:iam::aws:policy/PowerUserAccess
`),
    ),
  ).toMatchInlineSnapshot(`
    [
      "9:9 BATCH_BROAD_POLICY the job role may not carry the AWS-managed policy AmazonS3FullAccess: it grants far more than Metaflow's jobs need",
      "11:9 BATCH_BROAD_POLICY the job role may not carry the AWS-managed policy AdministratorAccess: it grants far more than Metaflow's jobs need",
      "12:9 BATCH_BROAD_POLICY the job role may not carry the AWS-managed policy PowerUserAccess: it grants far more than Metaflow's jobs need",
    ]
  `);
});

test('a registry of your own and a created repository conflict', async () => {
  expect(
    await problems(
      manifest(`  container:
    registry: 123456789012.dkr.ecr.us-west-2.amazonaws.com
    repository: {}
`),
    ),
  ).toMatchInlineSnapshot(`
    [
      "8:15 BATCH_TWO_REGISTRIES container.registry and container.repository both set the registry jobs pull from",
    ]
  `);
});

describe('job queue mistakes', () => {
  test('a queue naming a compute environment that does not exist suggests the closest name', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - { name: gpu-spot, provisioning: spot, instanceTypes: [g5] }
    - { name: cpu }
  jobQueues:
    - name: gpu
      computeEnvironments: [gpu-spto, cpu, tpu-pod-v4]
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "12:29 BATCH_UNKNOWN_COMPUTE_ENVIRONMENT job queue "gpu" names compute environment "gpu-spto", which is not defined; did you mean "gpu-spot"?",
        "12:44 BATCH_UNKNOWN_COMPUTE_ENVIRONMENT job queue "gpu" names compute environment "tpu-pod-v4", which is not defined",
      ]
    `);
  });

  test('duplicate queue names, a compute environment listed twice', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - { name: cpu }
  jobQueues:
    - { name: main, computeEnvironments: [cpu, cpu], default: true }
    - { name: main, computeEnvironments: [cpu] }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "10:48 BATCH_DUPLICATE_QUEUE_ENTRY job queue "main" lists compute environment "cpu" twice",
        "11:15 BATCH_DUPLICATE_NAME job queue name "main" is used twice (also at jobQueues[0])",
      ]
    `);
  });

  test('no default queue among several', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - { name: cpu }
    - { name: gpu, instanceTypes: [g5] }
  jobQueues:
    - { name: cpu, computeEnvironments: [cpu] }
    - { name: gpu, computeEnvironments: [gpu] }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "11:5 BATCH_NO_DEFAULT_QUEUE none of the 2 job queues is marked default: true",
      ]
    `);
  });

  test('two default queues', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - { name: cpu }
  jobQueues:
    - { name: a, computeEnvironments: [cpu], default: true }
    - { name: b, computeEnvironments: [cpu], default: true }
    - { name: c, computeEnvironments: [cpu], default: true }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "11:55 BATCH_TWO_DEFAULT_QUEUES job queue "b" is marked default, but "a" already is",
        "12:55 BATCH_TWO_DEFAULT_QUEUES job queue "c" is marked default, but "a" already is",
      ]
    `);
  });

  test('a queue mixing EC2 and Fargate', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - { name: cpu }
    - { name: small, type: fargate }
  jobQueues:
    - { name: main, computeEnvironments: [cpu, small] }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "11:48 BATCH_MIXED_QUEUE job queue "main" mixes Fargate compute environment "small" with EC2 compute environment "cpu"",
      ]
    `);
  });

  test('without jobQueues, EC2 and Fargate cannot share the implicit queue', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - { name: cpu }
    - { name: small, type: fargate }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "8:5 BATCH_NEEDS_JOB_QUEUES without jobQueues, every compute environment goes into one queue, but EC2 and Fargate compute environments cannot share a queue",
      ]
    `);
  });

  test('more than 3 compute environments in a queue', async () => {
    expect(
      await problems(
        manifest(`  computeEnvironments:
    - { name: a }
    - { name: b }
    - { name: c }
    - { name: d }
  jobQueues:
    - { name: main, computeEnvironments: [a, b, c, d] }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        "13:42 MANIFEST_INVALID batch.jobQueues[0].computeEnvironments must NOT have more than 3 items",
      ]
    `);
  });
});

describe('warnings', () => {
  test('a compute environment in no queue, and BEST_FIT', async () => {
    const result = await compileBatch(
      manifest(`  computeEnvironments:
    - { name: cpu }
    - { name: spare, provisioning: spot, allocationStrategy: BEST_FIT }
  jobQueues:
    - { name: main, computeEnvironments: [cpu] }
`),
    );
    expect(result.warnings.map((w) => `${w.loc?.line}:${w.loc?.column} ${w.message}`)).toMatchInlineSnapshot(`
      [
        "9:62 compute environment "spare": BEST_FIT environments cannot be updated in place, so later changes to instance types, AMI or subnets need a new environment",
        "9:15 compute environment "spare" is in no job queue, so it never runs jobs",
      ]
    `);
  });
});

test('every problem of a manifest comes out in one run', async () => {
  const found = await problems(
    manifest(`  computeEnvironments:
    - { name: cpu, minVcpus: 8, maxVcpus: 4 }
    - { name: gpu, type: fargate, instanceTypes: [p3] }
  jobQueues:
    - { name: a, computeEnvironments: [cpuu], default: true }
    - { name: b, computeEnvironments: [gpu], default: true }
`),
  );
  expect(found).toHaveLength(4);
});

test('one problem is one error naming the plugin, the manifest position and what to do', async () => {
  const e = await compileBatchError(
    manifest(`  computeEnvironments:
    - { name: cpu }
  jobQueues:
    - { name: main, computeEnvironments: [cpus] }
`),
  );
  expect({ ...e.toJSON(), loc: { ...e.loc!, file: e.loc!.file.split('/').pop() } }).toEqual({
    code: 'MANIFEST_INVALID',
    message: 'job queue "main" names compute environment "cpus", which is not defined; did you mean "cpu"?',
    hint: 'defined compute environments: cpu',
    plugin: 'mfinfra:batch',
    hook: 'check',
    loc: { file: 'metaflow.infra.yaml', line: 10, column: 43 },
    path: 'batch.jobQueues[0].computeEnvironments[0]',
    pluginCode: 'BATCH_UNKNOWN_COMPUTE_ENVIRONMENT',
    diagnostics: [expect.objectContaining({ code: 'MANIFEST_INVALID', pluginCode: 'BATCH_UNKNOWN_COMPUTE_ENVIRONMENT' })],
    // the warning the same check reported is not hidden by the error
    warnings: [
      expect.objectContaining({ code: 'MANIFEST_WARNING', message: 'compute environment "cpu" is in no job queue, so it never runs jobs' }),
    ],
    exitCode: 3,
  });
  expect(e.frame).toContain('cpus');
});
