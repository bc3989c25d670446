/**
 * Compute environments, their launch templates and their security group.
 */
import { getAtt, ref, tagList, type CfnResource, type CfnValue, type PluginContext } from '@mfinfra/core/plugin';
import type { NetworkApi } from '@mfinfra/plugin-network';
import { computeEnvironmentName, type BatchIds } from './ids.js';
import { isGpuInstanceType } from './instanceTypes.js';
import type { ComputeEnvironment } from './options.js';

const IMAGE_TYPES = {
  al2023: { cpu: 'ECS_AL2023', gpu: 'ECS_AL2023_NVIDIA' },
  al2: { cpu: 'ECS_AL2', gpu: 'ECS_AL2_NVIDIA' },
} as const;

/** Strategies with which Batch updates instances in place (infrastructure updates). */
function updatesInPlace(ce: ComputeEnvironment): boolean {
  return ce.platform === 'ec2' && ce.allocationStrategy !== 'BEST_FIT';
}

export function needsSpotFleetRole(ce: ComputeEnvironment): boolean {
  return ce.resourceType === 'SPOT' && ce.allocationStrategy === 'BEST_FIT';
}

/** One security group for every compute environment: no ingress, egress for AWS APIs, S3 and registries. */
export function securityGroup(ctx: PluginContext, network: NetworkApi): CfnResource {
  return {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: {
      GroupDescription: 'AWS Batch compute environments for Metaflow jobs: no inbound traffic',
      VpcId: network.vpcId,
      SecurityGroupEgress: [
        { IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'Jobs reach AWS APIs, S3, container registries and package indexes' },
      ],
      Tags: tagList({ ...ctx.stack.tags, Name: ctx.naming.physicalName(['batch']) }),
    },
  };
}

/**
 * IMDS hop limit 1, deliberately. Metaflow's `@batch` jobs get AWS credentials from the ECS task
 * role (the job definition's jobRoleArn, served by the ECS agent at 169.254.170.2), never from the
 * instance. Batch runs EC2 job containers in bridge network mode, where a reply from the instance
 * metadata service needs a second hop: with limit 1 it never reaches a container, so a job cannot
 * read the instance role's credentials (which can pull any image, register the instance with ECS,
 * ...). The ECS agent and Docker run on the host network and keep working. What a job loses is IMDS
 * itself: code that asks IMDS for the instance type or region must read AWS_DEFAULT_REGION (Metaflow
 * sets it in every job) or use an environment variable instead.
 */
export const IMDS_HOP_LIMIT = 1;
const IMDS_HOP_LIMIT_REASON =
  "Hop limit 1: Metaflow's @batch containers get credentials from the ECS task role (the ECS agent's endpoint), and in Batch's bridge network mode a limit of 1 keeps the instance role's credentials out of job containers; the ECS agent runs on the host network and is unaffected.";

/** The launch template mfinfra makes for an EC2 environment: IMDSv2 only, hop limit 1, encrypted gp3 root volume. */
export function launchTemplate(ce: ComputeEnvironment): CfnResource {
  return {
    Type: 'AWS::EC2::LaunchTemplate',
    Metadata: { Reasons: { HttpPutResponseHopLimit: IMDS_HOP_LIMIT_REASON } },
    Properties: {
      LaunchTemplateData: {
        MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: IMDS_HOP_LIMIT },
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/xvda',
            Ebs: { VolumeSize: ce.rootVolumeGiB, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
          },
        ],
      },
    },
  };
}

/** Which ECS-optimized AMI(s) Batch uses: the NVIDIA variant when GPU types are allowed. */
function ec2Configuration(ce: ComputeEnvironment): CfnValue[] {
  const types = IMAGE_TYPES[ce.ami];
  const gpu = ce.instanceTypes.some(isGpuInstanceType);
  const cpu = ce.instanceTypes.some((t) => !isGpuInstanceType(t));
  const entry = (imageType: string): CfnValue =>
    ce.imageId ? { ImageType: imageType, ImageIdOverride: ce.imageId } : { ImageType: imageType };
  return [...(cpu ? [entry(types.cpu)] : []), ...(gpu ? [entry(types.gpu)] : [])];
}

function launchTemplateSpec(ce: ComputeEnvironment, ids: BatchIds): CfnValue {
  if (ce.launchTemplate) {
    const { id, name, version } = ce.launchTemplate;
    return { ...(id ? { LaunchTemplateId: id } : { LaunchTemplateName: name! }), Version: version ?? '$Default' };
  }
  const lt = ids.launchTemplate(ce.name);
  return { LaunchTemplateId: ref(lt), Version: getAtt(lt, 'LatestVersionNumber') };
}

export function computeEnvironment(ctx: PluginContext, ce: ComputeEnvironment, network: NetworkApi, ids: BatchIds): CfnResource {
  const name = computeEnvironmentName(ctx.naming, ce);
  const securityGroupIds = [getAtt(ids.securityGroup, 'GroupId'), ...network.securityGroupIds];
  const resources: Record<string, CfnValue | undefined> =
    ce.platform === 'fargate'
      ? { Type: ce.resourceType, MaxvCpus: ce.maxVcpus, Subnets: network.subnetIds, SecurityGroupIds: securityGroupIds }
      : {
          Type: ce.resourceType,
          AllocationStrategy: ce.allocationStrategy,
          BidPercentage: ce.bidPercentage,
          MinvCpus: ce.minVcpus,
          DesiredvCpus: ce.desiredVcpus,
          MaxvCpus: ce.maxVcpus,
          InstanceTypes: ce.instanceTypes,
          InstanceRole: getAtt(ids.instanceProfile, 'Arn'),
          SpotIamFleetRole: needsSpotFleetRole(ce) ? getAtt(ids.spotFleetRole, 'Arn') : undefined,
          Ec2Configuration: ec2Configuration(ce),
          LaunchTemplate: launchTemplateSpec(ce, ids),
          Subnets: network.subnetIds,
          SecurityGroupIds: securityGroupIds,
          Tags: { Name: name, ...ctx.stack.tags, ...ce.tags },
          UpdateToLatestImageVersion: updatesInPlace(ce) ? true : undefined,
        };
  const inPlace = updatesInPlace(ce);
  return {
    Type: 'AWS::Batch::ComputeEnvironment',
    ...(network.dependsOn.length ? { DependsOn: [...network.dependsOn] } : {}),
    Properties: {
      Type: 'MANAGED',
      State: 'ENABLED',
      ComputeEnvironmentName: name,
      // No ServiceRole: Batch uses its service-linked role (AWSServiceRoleForBatch), which
      // in-place infrastructure updates require.
      ...(inPlace
        ? { ReplaceComputeEnvironment: false, UpdatePolicy: { TerminateJobsOnUpdate: false, JobExecutionTimeoutMinutes: 30 } }
        : {}),
      ComputeResources: dropUndefined(resources),
    },
  };
}

function dropUndefined(obj: Record<string, CfnValue | undefined>): Record<string, CfnValue> {
  const out: Record<string, CfnValue> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
}
