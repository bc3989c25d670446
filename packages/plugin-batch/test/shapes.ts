/** The manifest shapes the template tests compile (each with its fake network/datastore). */
import { fakeDatastore, fakeNetwork } from '@mfinfra/core/testing';
import type { FakeOptions } from './helpers.js';

export interface Shape extends FakeOptions {
  batch: string;
  tags?: Record<string, string>;
}

export const SHAPES: Record<string, Shape> = {
  /** `batch` listed with no section: one on-demand EC2 environment and its queue. */
  defaults: { batch: '' },
  /** examples/datastore-batch */
  'datastore-batch': {
    batch: `  computeEnvironments:
    - name: cpu
      instanceTypes: [c5, m5]
      maxVcpus: 64
  jobQueues:
    - { name: default, computeEnvironments: [cpu] }
`,
  },
  /** examples/existing-vpc: literal ids, an extra security group, no DependsOn. */
  'existing-vpc': {
    network: fakeNetwork({ mode: 'existing', private: true, cidr: '10.0.0.0/16', securityGroupIds: ['sg-0123456789abcdef0'] }),
    batch: `  computeEnvironments:
    - { name: cpu, instanceTypes: [optimal], minVcpus: 2, desiredVcpus: 2, maxVcpus: 128 }
`,
  },
  /** examples/private-networking: private subnets, DependsOn the NAT route. */
  'private-networking': {
    network: fakeNetwork({ private: true }),
    batch: `  computeEnvironments:
    - { name: cpu, instanceTypes: [m6i, c6i] }
`,
  },
  /** examples/spot-gpu */
  'spot-gpu': {
    network: fakeNetwork({ private: true }),
    batch: `  computeEnvironments:
    - name: cpu-spot
      provisioning: spot
      instanceTypes: [c5, m5, r5]
      bidPercentage: 80
      maxVcpus: 256
    - name: gpu
      instanceTypes: [g5, p4d]
      maxVcpus: 96
      tags: { cost-center: ml-gpu }
  jobQueues:
    - { name: cpu, priority: 1, computeEnvironments: [cpu-spot], default: true }
    - { name: gpu, priority: 10, computeEnvironments: [gpu] }
  container:
    registry: 123456789012.dkr.ecr.us-west-2.amazonaws.com
    image: metaflow/gpu:1.0
`,
  },
  /** Fargate and Fargate Spot, with the execution role, pulling from an ECR repository the stack creates. */
  fargate: {
    batch: `  computeEnvironments:
    - { name: fargate, type: fargate, maxVcpus: 32 }
    - { name: fargate-spot, type: fargate, provisioning: spot, maxVcpus: 64 }
  jobQueues:
    - { name: default, computeEnvironments: [fargate-spot, fargate] }
  container:
    image: metaflow-jobs:1.0
    repository: { name: metaflow-jobs, untaggedImageExpiryDays: 7 }
`,
  },
  /** SSE-KMS datastore, BEST_FIT Spot (Spot Fleet role), a custom AMI, your own launch template, stack tags, an extra job role policy. */
  options: {
    datastore: fakeDatastore({ kms: true }),
    tags: { team: 'ml', env: 'prod' },
    batch: `  computeEnvironments:
    - name: legacy-spot
      provisioning: spot
      allocationStrategy: BEST_FIT
      instanceTypes: [c5.2xlarge, c5.4xlarge]
    - name: custom
      ami: al2
      imageId: ami-0123456789abcdef0
      instanceTypes: [c6i, g4dn]
      rootVolumeGiB: 500
    - name: byo-template
      launchTemplate: { id: lt-0123456789abcdef0, version: "3" }
  jobQueues:
    - { name: default, computeEnvironments: [custom, byo-template], default: true }
    - { name: legacy, computeEnvironments: [legacy-spot] }
  jobRole:
    managedPolicyArns: [arn:aws:iam::123456789012:policy/read-feature-store]
`,
  },
};
