/**
 * Logical ids and physical names. Both derive only from the stack name and the names the user
 * gave, so the same manifest always yields the same template and a redeploy updates in place.
 */
import type { Naming } from '@mfinfra/core/plugin';
import type { ComputeEnvironment } from './options.js';

/** Batch allows 128 characters in compute environment and job queue names. */
const BATCH_NAME_MAX = 128;

export function batchIds(naming: Naming) {
  return {
    securityGroup: naming.logicalId('batch', 'security-group'),
    jobRole: naming.logicalId('batch', 'job-role'),
    instanceRole: naming.logicalId('batch', 'instance-role'),
    instanceProfile: naming.logicalId('batch', 'instance-profile'),
    spotFleetRole: naming.logicalId('batch', 'spot-fleet-role'),
    executionRole: naming.logicalId('batch', 'fargate-execution-role'),
    repository: naming.logicalId('batch', 'container-repository'),
    computeEnvironment: (name: string) => naming.logicalId('batch', name, 'compute-environment'),
    launchTemplate: (name: string) => naming.logicalId('batch', name, 'launch-template'),
    jobQueue: (name: string) => naming.logicalId('batch', name, 'job-queue'),
    /** Stack output names (not config keys). */
    jobQueueOutput: (name: string) => naming.logicalId('batch', name, 'job-queue-arn'),
    computeEnvironmentOutput: (name: string) => naming.logicalId('batch', name, 'compute-environment-arn'),
  };
}
export type BatchIds = ReturnType<typeof batchIds>;

/**
 * `<stack>-<name>-<capacity>`. The capacity (ec2, spot, fargate, fargate-spot) is part of the name
 * because CloudFormation must replace a compute environment whose capacity type changes, and a
 * replacement needs a new name. Everything Batch updates in place (instance types, vCPUs, AMI,
 * launch template, subnets, tags of instances) leaves the name alone.
 */
export function computeEnvironmentName(naming: Naming, ce: ComputeEnvironment): string {
  return naming.physicalName([ce.name, ce.resourceType.toLowerCase().replace('_', '-')], { maxLength: BATCH_NAME_MAX });
}

/** `<stack>-<queue>`: what users see in the Batch console and in METAFLOW_BATCH_JOB_QUEUE. */
export function jobQueueName(naming: Naming, name: string): string {
  return naming.physicalName([name], { maxLength: BATCH_NAME_MAX });
}
