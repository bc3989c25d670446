import type { ExistingBatch } from './existing.js';

/**
 * The `batch:` manifest section: what the user writes, and the normalized form the resource
 * builders use (per-item defaults filled in, CloudFormation enums derived).
 */

export type Platform = 'ec2' | 'fargate';
export type Provisioning = 'on-demand' | 'spot';
export type AllocationStrategy = 'BEST_FIT' | 'BEST_FIT_PROGRESSIVE' | 'SPOT_CAPACITY_OPTIMIZED' | 'SPOT_PRICE_CAPACITY_OPTIMIZED';
export type AmiFamily = 'al2023' | 'al2';

/** A compute environment as written in the manifest. */
export interface ComputeEnvironmentOptions {
  name: string;
  type?: Platform;
  provisioning?: Provisioning;
  allocationStrategy?: AllocationStrategy;
  bidPercentage?: number;
  instanceTypes?: string[];
  minVcpus?: number;
  desiredVcpus?: number;
  maxVcpus?: number;
  ami?: AmiFamily;
  imageId?: string;
  launchTemplate?: { id?: string; name?: string; version?: string };
  rootVolumeGiB?: number;
  tags?: Record<string, string>;
}

/** A job queue as written in the manifest. */
export interface JobQueueOptions {
  name: string;
  priority?: number;
  computeEnvironments: string[];
  default?: boolean;
}

/** The whole `batch:` section (after the plugin's section defaults). */
export interface BatchOptions {
  /** Reuse a job queue and roles instead of creating compute (see existing.ts). */
  existing?: ExistingBatch;
  computeEnvironments: ComputeEnvironmentOptions[];
  jobQueues?: JobQueueOptions[];
  jobRole?: { managedPolicyArns?: string[] };
  container?: { registry?: string; image?: string; repository?: { name?: string; untaggedImageExpiryDays?: number } };
}

/** Per-compute-environment defaults (core replaces arrays whole, so the plugin fills items in). */
export const COMPUTE_ENVIRONMENT_DEFAULTS = {
  type: 'ec2',
  provisioning: 'on-demand',
  instanceTypes: ['optimal'],
  minVcpus: 0,
  maxVcpus: 64,
  ami: 'al2023',
  rootVolumeGiB: 100,
} as const;

export const DEFAULT_ALLOCATION_STRATEGY: Record<Provisioning, AllocationStrategy> = {
  // Both support in-place infrastructure updates (instance types, AMI, launch template).
  'on-demand': 'BEST_FIT_PROGRESSIVE',
  spot: 'SPOT_PRICE_CAPACITY_OPTIMIZED',
};

export const DEFAULT_QUEUE_NAME = 'default';
export const DEFAULT_QUEUE_PRIORITY = 1;

/** A compute environment with every default applied. */
export interface ComputeEnvironment {
  /** Position in `computeEnvironments` (for error paths). */
  index: number;
  name: string;
  platform: Platform;
  provisioning: Provisioning;
  /** ComputeResources.Type */
  resourceType: 'EC2' | 'SPOT' | 'FARGATE' | 'FARGATE_SPOT';
  /** Undefined for Fargate. */
  allocationStrategy?: AllocationStrategy;
  bidPercentage?: number;
  /** [] for Fargate. */
  instanceTypes: string[];
  minVcpus: number;
  desiredVcpus?: number;
  maxVcpus: number;
  ami: AmiFamily;
  imageId?: string;
  launchTemplate?: { id?: string; name?: string; version?: string };
  rootVolumeGiB: number;
  tags: Record<string, string>;
}

/** A job queue with defaults applied and `default` resolved. */
export interface JobQueue {
  /** Position in `jobQueues`, or undefined for the queue made when `jobQueues` is omitted. */
  index?: number;
  name: string;
  priority: number;
  computeEnvironments: string[];
  isDefault: boolean;
}

export function normalizeComputeEnvironment(ce: ComputeEnvironmentOptions, index: number): ComputeEnvironment {
  const platform = ce.type ?? COMPUTE_ENVIRONMENT_DEFAULTS.type;
  const provisioning = ce.provisioning ?? COMPUTE_ENVIRONMENT_DEFAULTS.provisioning;
  const ec2 = platform === 'ec2';
  const resourceType = ec2 ? (provisioning === 'spot' ? 'SPOT' : 'EC2') : provisioning === 'spot' ? 'FARGATE_SPOT' : 'FARGATE';
  return {
    index,
    name: ce.name,
    platform,
    provisioning,
    resourceType,
    allocationStrategy: ec2 ? (ce.allocationStrategy ?? DEFAULT_ALLOCATION_STRATEGY[provisioning]) : undefined,
    bidPercentage: ce.bidPercentage,
    instanceTypes: ec2 ? [...(ce.instanceTypes ?? COMPUTE_ENVIRONMENT_DEFAULTS.instanceTypes)] : [],
    minVcpus: ec2 ? (ce.minVcpus ?? COMPUTE_ENVIRONMENT_DEFAULTS.minVcpus) : 0,
    desiredVcpus: ec2 ? ce.desiredVcpus : undefined,
    maxVcpus: ce.maxVcpus ?? COMPUTE_ENVIRONMENT_DEFAULTS.maxVcpus,
    ami: ce.ami ?? COMPUTE_ENVIRONMENT_DEFAULTS.ami,
    imageId: ce.imageId,
    launchTemplate: ce.launchTemplate,
    rootVolumeGiB: ce.rootVolumeGiB ?? COMPUTE_ENVIRONMENT_DEFAULTS.rootVolumeGiB,
    tags: { ...(ce.tags ?? {}) },
  };
}

/**
 * The job queues to create. Without `jobQueues`, one queue named `default` takes every compute
 * environment in manifest order. With one queue, it is the default.
 */
export function normalizeJobQueues(options: BatchOptions): JobQueue[] {
  if (!options.jobQueues) {
    return [
      {
        name: DEFAULT_QUEUE_NAME,
        priority: DEFAULT_QUEUE_PRIORITY,
        computeEnvironments: options.computeEnvironments.map((ce) => ce.name),
        isDefault: true,
      },
    ];
  }
  const only = options.jobQueues.length === 1;
  return options.jobQueues.map((q, index) => ({
    index,
    name: q.name,
    priority: q.priority ?? DEFAULT_QUEUE_PRIORITY,
    computeEnvironments: [...q.computeEnvironments],
    isDefault: only || q.default === true,
  }));
}

/** The default queue (checks guarantee exactly one). */
export function defaultQueue(queues: readonly JobQueue[]): JobQueue {
  return queues.find((q) => q.isDefault) ?? queues[0]!;
}
