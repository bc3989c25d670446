/**
 * mfinfra-plugin-gpu-compute: a third-party mfinfra plugin that adds a GPU AWS Batch compute
 * environment (NVIDIA ECS AMI, on-demand or spot) and a job queue to a Metaflow stack.
 *
 * It owns the `gpuCompute:` manifest section, places instances in the `network` plugin's subnets
 * and, when it is the stack's only Batch compute (the `batch` plugin is not loaded), gives Metaflow
 * its job queue and a job role that reads and writes the `datastore` plugin's bucket.
 *
 * It imports nothing at run time but `@mfinfra/core/plugin`.
 */
import { definePlugin, getAtt, ref, type CfnValue, type ConfigOutputValue } from '@mfinfra/core/plugin';
import { checkOptions } from './check.js';
import { defaults, schema, type GpuComputeOptions } from './options.js';
import type { DatastoreView, NetworkView } from './peerApis.js';
import { buildResources, logicalIds } from './resources.js';

export type { GpuComputeOptions, Provisioning } from './options.js';
export type { DatastoreView, IamStatement, NetworkView } from './peerApis.js';

/** What other plugins read with `ctx.use<GpuComputeApi>('gpuCompute')`. */
export interface GpuComputeApi {
  jobQueueArn: CfnValue;
  computeEnvironmentArn: CfnValue;
  securityGroupId: CfnValue;
  /** Whether this plugin set METAFLOW_BATCH_JOB_QUEUE (it is the stack's only Batch compute). */
  isDefaultQueue: boolean;
}

/** The batch plugin owns METAFLOW_BATCH_JOB_QUEUE and the job role when it is loaded. */
const isStandalone = (loaded: ReadonlySet<string>) => !loaded.has('batch');

export const gpuComputePlugin = definePlugin<GpuComputeOptions, GpuComputeApi>({
  name: 'example:gpu-compute',
  apiVersion: 1,
  version: '0.1.0',
  description: 'GPU AWS Batch compute environment (NVIDIA AMI, on-demand or spot) and job queue',
  key: 'gpuCompute',
  schema,
  defaults,
  optionalSection: true,
  requires: ['network', 'datastore'],
  check: checkOptions,
  api(ctx) {
    const ids = logicalIds(ctx);
    return {
      jobQueueArn: ref(ids.jobQueue),
      computeEnvironmentArn: ref(ids.computeEnvironment),
      securityGroupId: getAtt(ids.securityGroup, 'GroupId'),
      isDefaultQueue: isStandalone(ctx.loaded),
    };
  },
  resources(ctx, options) {
    const network = ctx.use<NetworkView>('network');
    const datastore = ctx.use<DatastoreView>('datastore');
    if (!Array.isArray(network?.subnetIds) || network.subnetIds.length === 0) {
      throw new Error('the network plugin gave no subnetIds; this plugin needs a network plugin that exposes NetworkApi');
    }
    if (typeof datastore?.readWriteStatements !== 'function') {
      throw new Error('the datastore plugin gave no readWriteStatements(); this plugin needs a datastore plugin that exposes DatastoreApi');
    }
    return buildResources(ctx, options, network, datastore, isStandalone(ctx.loaded));
  },
  outputs(ctx): Record<string, ConfigOutputValue> {
    if (!isStandalone(ctx.loaded)) return {};
    const ids = logicalIds(ctx);
    return {
      METAFLOW_BATCH_JOB_QUEUE: { value: ref(ids.jobQueue), description: 'the GPU job queue (the only Batch queue of this stack)' },
      METAFLOW_ECS_S3_ACCESS_IAM_ROLE: { value: getAtt(ids.jobRole, 'Arn'), description: "the role Metaflow's GPU Batch jobs assume" },
    };
  },
  stackOutputs(ctx) {
    return {
      GpuComputeJobQueueArn: {
        value: ref(logicalIds(ctx).jobQueue),
        description: 'GPU job queue: run a step on it with @batch(gpu=1, queue=<this ARN>)',
      },
    };
  },
});

export default gpuComputePlugin;
