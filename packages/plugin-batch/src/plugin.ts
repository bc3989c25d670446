import {
  definePlugin,
  getAtt,
  ref,
  type CfnResource,
  type CfnValue,
  type ConfigOutputValue,
  type PluginContext,
  type StackOutput,
} from '@mfinfra/core/plugin';
import { checkBatchOptions } from './check.js';
import { checkExisting, existingOutputs, queueArn, verifyExisting, type ExistingBatch } from './existing.js';
import { computeEnvironment, launchTemplate, needsSpotFleetRole, securityGroup } from './computeEnvironments.js';
import type { DatastoreApi } from '@mfinfra/plugin-datastore';
import type { NetworkApi } from '@mfinfra/plugin-network';
import { fargateExecutionRole, instanceProfile, instanceRole, jobRole, spotFleetRole } from './iam.js';
import { batchIds } from './ids.js';
import { jobQueue } from './jobQueues.js';
import { accountRegistry, containerRepository } from './repository.js';
import {
  COMPUTE_ENVIRONMENT_DEFAULTS,
  DEFAULT_QUEUE_PRIORITY,
  defaultQueue,
  normalizeComputeEnvironment,
  normalizeJobQueues,
  type BatchOptions,
  type ComputeEnvironment,
  type JobQueue,
} from './options.js';
import { batchSchema } from './schema.js';
import { starter } from './starter.js';

/** What the batch plugin gives other plugins through `ctx.use('batch')`. */
export interface BatchApi {
  /**
   * The role Metaflow's Batch jobs assume (`Ref`: its name; other plugins attach policies to it).
   * Undefined with `batch.existing`: the role is not this stack's, so attach nothing to it.
   */
  jobRoleName?: CfnValue;
  jobRoleArn: CfnValue;
  /** Every job queue's ARN, in manifest order. */
  jobQueueArns: CfnValue[];
  /** The queue Metaflow submits to (METAFLOW_BATCH_JOB_QUEUE). */
  defaultJobQueueArn: CfnValue;
  /** Set when a Fargate compute environment exists. */
  fargateExecutionRoleArn?: CfnValue;
  /** The compute environments' security group. */
  securityGroupId?: CfnValue;
}

/** The batch section resolved once per compile (see `resolve`): normalized items and the logical ids. */
export interface BatchModel {
  ces: ComputeEnvironment[];
  queues: JobQueue[];
  ids: ReturnType<typeof batchIds>;
  /** `batch.existing`: nothing is created (ces and queues are empty). */
  existing?: ExistingBatch;
}

function model(ctx: PluginContext, options: BatchOptions): BatchModel {
  if (options.existing) return { ces: [], queues: [], ids: batchIds(ctx.naming), existing: options.existing };
  return {
    ces: options.computeEnvironments.map(normalizeComputeEnvironment),
    queues: normalizeJobQueues(options),
    ids: batchIds(ctx.naming),
  };
}

export const batchPlugin = definePlugin<BatchOptions, BatchApi, BatchModel>({
  name: 'mfinfra:batch',
  apiVersion: 1,
  version: '0.1.0',
  description: 'AWS Batch compute environments (EC2/Fargate, on-demand/Spot, GPU), job queues and the IAM roles Metaflow jobs use',
  key: 'batch',
  starter,
  schema: batchSchema,
  optionalSection: true,
  defaults: { computeEnvironments: [{ name: 'cpu' }] },
  // What every compute environment and queue gets (the EC2-only defaults, instance types, AMI,
  // volume, depend on the item's type and are filled in by resolve).
  itemDefaults: {
    '/computeEnvironments/*': {
      type: COMPUTE_ENVIRONMENT_DEFAULTS.type,
      provisioning: COMPUTE_ENVIRONMENT_DEFAULTS.provisioning,
      maxVcpus: COMPUTE_ENVIRONMENT_DEFAULTS.maxVcpus,
    },
    '/jobQueues/*': { priority: DEFAULT_QUEUE_PRIORITY },
  },
  // network only when compute is created: batch.existing reuses a queue, which needs no network here.
  requires: ['datastore'],
  uses: ['network'],
  // init's starter section creates compute, so init adds network beside batch.
  starterRequires: ['network'],

  check(ctx, options) {
    // With existing, the section's defaults (one compute environment) are not used: nothing is created.
    if (options.existing) return checkExisting(ctx, options.existing);
    if (!ctx.loaded.has('network')) {
      ctx.report('batch creates compute environments in a network, but network is not in plugins', {
        rootPath: ['plugins'],
        code: 'BATCH_NEEDS_NETWORK',
        hint: 'add network to plugins (and a network: section), or reuse a job queue with batch.existing',
      });
      return;
    }
    checkBatchOptions(ctx, options);
  },

  resolve: model,

  api(_ctx, _options, { ces, queues, ids, existing }) {
    if (existing) {
      return {
        jobRoleArn: existing.jobRole,
        jobQueueArns: [queueArn(existing.jobQueue)],
        defaultJobQueueArn: queueArn(existing.jobQueue),
        ...(existing.fargateExecutionRole ? { fargateExecutionRoleArn: existing.fargateExecutionRole } : {}),
      };
    }
    return {
      jobRoleName: ref(ids.jobRole),
      jobRoleArn: getAtt(ids.jobRole, 'Arn'),
      jobQueueArns: queues.map((q) => ref(ids.jobQueue(q.name))),
      defaultJobQueueArn: ref(ids.jobQueue(defaultQueue(queues).name)),
      ...(ces.some((ce) => ce.platform === 'fargate') ? { fargateExecutionRoleArn: getAtt(ids.executionRole, 'Arn') } : {}),
      securityGroupId: getAtt(ids.securityGroup, 'GroupId'),
    };
  },

  resources(ctx, options, { ces, queues, ids, existing }) {
    if (existing) return options.container?.repository ? { [ids.repository]: containerRepository(ctx, options.container.repository) } : {};
    const network = ctx.use<NetworkApi>('network');
    const datastore = ctx.use<DatastoreApi>('datastore');
    if (network.mode === 'existing' && network.assignPublicIp && ces.some((ce) => ce.platform === 'ec2')) {
      ctx.warn('Batch EC2 instances get a public IP only from subnets that assign one on launch', {
        rootPath: ['network', 'existing', 'assignPublicIp'],
        hint: 'turn on "auto-assign public IPv4 address" (MapPublicIpOnLaunch) for the subnets in network.existing.subnetIds, or jobs wait in RUNNABLE',
      });
    }
    const out: Record<string, CfnResource> = {
      [ids.securityGroup]: securityGroup(ctx, network),
      [ids.jobRole]: jobRole(ctx, datastore, options.jobRole?.managedPolicyArns),
    };
    if (ces.some((ce) => ce.platform === 'ec2')) {
      out[ids.instanceRole] = instanceRole(ctx);
      out[ids.instanceProfile] = instanceProfile(ids.instanceRole);
    }
    if (ces.some(needsSpotFleetRole)) out[ids.spotFleetRole] = spotFleetRole(ctx);
    if (ces.some((ce) => ce.platform === 'fargate')) out[ids.executionRole] = fargateExecutionRole(ctx);
    for (const ce of ces) {
      if (ce.platform === 'ec2' && !ce.launchTemplate) out[ids.launchTemplate(ce.name)] = launchTemplate(ce);
      out[ids.computeEnvironment(ce.name)] = computeEnvironment(ctx, ce, network, ids);
    }
    for (const q of queues) out[ids.jobQueue(q.name)] = jobQueue(ctx, q, ids);
    if (options.container?.repository) out[ids.repository] = containerRepository(ctx, options.container.repository);
    return out;
  },

  outputs(_ctx, options, { ces, queues, ids, existing }) {
    const out: Record<string, ConfigOutputValue> = existing
      ? existingOutputs(existing)
      : {
          METAFLOW_BATCH_JOB_QUEUE: { value: ref(ids.jobQueue(defaultQueue(queues).name)), description: 'ARN of the default job queue' },
          METAFLOW_ECS_S3_ACCESS_IAM_ROLE: { value: getAtt(ids.jobRole, 'Arn'), description: 'role Batch jobs assume' },
        };
    if (!existing && ces.some((ce) => ce.platform === 'fargate')) {
      out.METAFLOW_ECS_FARGATE_EXECUTION_ROLE = { value: getAtt(ids.executionRole, 'Arn'), description: 'execution role of Fargate jobs' };
    }
    if (options.container?.registry) out.METAFLOW_BATCH_CONTAINER_REGISTRY = options.container.registry;
    if (options.container?.repository) {
      out.METAFLOW_BATCH_CONTAINER_REGISTRY = { value: accountRegistry(), description: 'ECR registry of this account and region' };
    }
    if (options.container?.image) out.METAFLOW_BATCH_CONTAINER_IMAGE = options.container.image;
    return out;
  },

  stackOutputs(_ctx, options, { ces, queues, ids, existing }) {
    const out: Record<string, StackOutput> = {};
    if (existing) {
      if (options.container?.repository) {
        out[ids.repository + 'Uri'] = {
          value: getAtt(ids.repository, 'RepositoryUri'),
          description: 'ECR repository for job images (docker push here)',
        };
      }
      return out;
    }
    for (const q of queues) {
      out[ids.jobQueueOutput(q.name)] = {
        value: ref(ids.jobQueue(q.name)),
        description: `ARN of job queue "${q.name}"${q.isDefault ? ', the default queue' : ''}`,
      };
    }
    for (const ce of ces) {
      out[ids.computeEnvironmentOutput(ce.name)] = {
        value: ref(ids.computeEnvironment(ce.name)),
        description: `ARN of compute environment "${ce.name}"`,
      };
    }
    if (options.container?.repository) {
      out[ids.repository + 'Uri'] = {
        value: getAtt(ids.repository, 'RepositoryUri'),
        description: 'ECR repository for job images (docker push here)',
      };
    }
    out[ids.securityGroup + 'Id'] = {
      value: getAtt(ids.securityGroup, 'GroupId'),
      description: 'security group of the Batch compute environments',
    };
    return out;
  },

  async verify(ctx, _options, { existing }) {
    if (existing) await verifyExisting(ctx, existing);
  },
});
