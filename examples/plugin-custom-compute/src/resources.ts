/** The CloudFormation resources of the GPU compute environment and its job queue. */
import { getAtt, nagValue, ref, scannerExceptions, sub, type CfnResource, type CfnValue, type PluginContext } from '@mfinfra/core/plugin';
import type { GpuComputeOptions } from './options.js';
import type { DatastoreView, NetworkView } from './peerApis.js';

/** Logical ids, derived from the stack-independent prefix so they are stable across runs. */
export function logicalIds(ctx: PluginContext) {
  const id = (...parts: string[]) => ctx.naming.logicalId('gpu-compute', ...parts);
  return {
    securityGroup: id('SecurityGroup'),
    instanceRole: id('InstanceRole'),
    instanceProfile: id('InstanceProfile'),
    launchTemplate: id('LaunchTemplate'),
    computeEnvironment: id('Environment'),
    jobQueue: id('JobQueue'),
    jobRole: id('JobRole'),
  };
}

const ECS_INSTANCE_POLICY = 'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role';

function assumedBy(service: string) {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  };
}

/**
 * The compute environment, queue and what they need. With `jobRole`, also the role Metaflow's jobs
 * assume (only when this plugin is the stack's Batch compute, i.e. the batch plugin is not loaded).
 */
export function buildResources(
  ctx: PluginContext,
  options: GpuComputeOptions,
  network: NetworkView,
  datastore: DatastoreView,
  withJobRole: boolean,
): Record<string, CfnResource> {
  const ids = logicalIds(ctx);
  const spot = options.provisioning === 'spot';
  const resources: Record<string, CfnResource> = {
    [ids.securityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `GPU Batch instances of ${ctx.stack.name}: no inbound, outbound for images, S3 and the metadata service`,
        VpcId: network.vpcId,
        SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0', Description: 'outbound to AWS APIs, registries and S3' }],
      },
    },
    [ids.instanceRole]: {
      Type: 'AWS::IAM::Role',
      // A deliberate exception, with its reason, where scanners (cdk-nag, checkov) read it.
      Metadata: scannerExceptions({
        id: 'AwsSolutions-IAM4',
        reason: "AWS's policy for ECS container instances: what the ECS agent on the GPU instances needs, kept current by AWS.",
        appliesTo: [`Policy::${nagValue(sub(ECS_INSTANCE_POLICY))}`],
      }),
      Properties: {
        Description: 'ECS container instance role of the GPU Batch instances',
        AssumeRolePolicyDocument: assumedBy('ec2.amazonaws.com'),
        ManagedPolicyArns: [sub(ECS_INSTANCE_POLICY)],
      },
    },
    [ids.instanceProfile]: {
      Type: 'AWS::IAM::InstanceProfile',
      Properties: { Roles: [ref(ids.instanceRole)] },
    },
    [ids.launchTemplate]: {
      Type: 'AWS::EC2::LaunchTemplate',
      Properties: {
        LaunchTemplateData: {
          BlockDeviceMappings: [
            {
              DeviceName: '/dev/xvda',
              Ebs: { VolumeSize: options.volumeGiB, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
            },
          ],
          MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        },
      },
    },
    [ids.computeEnvironment]: {
      Type: 'AWS::Batch::ComputeEnvironment',
      ...(network.dependsOn.length ? { DependsOn: [...network.dependsOn] } : {}),
      Properties: {
        Type: 'MANAGED',
        State: 'ENABLED',
        ComputeResources: {
          Type: spot ? 'SPOT' : 'EC2',
          AllocationStrategy: spot ? 'SPOT_PRICE_CAPACITY_OPTIMIZED' : 'BEST_FIT_PROGRESSIVE',
          ...(spot && options.spotMaxPricePercent !== undefined ? { BidPercentage: options.spotMaxPricePercent } : {}),
          MinvCpus: options.minVcpus,
          MaxvCpus: options.maxVcpus,
          InstanceTypes: [...options.instanceTypes],
          Ec2Configuration: [{ ImageType: 'ECS_AL2_NVIDIA' }],
          InstanceRole: getAtt(ids.instanceProfile, 'Arn'),
          LaunchTemplate: { LaunchTemplateId: ref(ids.launchTemplate), Version: getAtt(ids.launchTemplate, 'LatestVersionNumber') },
          Subnets: [...network.subnetIds],
          SecurityGroupIds: [ref(ids.securityGroup), ...network.securityGroupIds],
          Tags: { Name: ctx.naming.physicalName('gpu-compute') },
        },
      },
    },
    [ids.jobQueue]: {
      Type: 'AWS::Batch::JobQueue',
      Properties: {
        JobQueueName: ctx.naming.physicalName([options.queue.name], { maxLength: 128 }),
        Priority: options.queue.priority,
        State: 'ENABLED',
        ComputeEnvironmentOrder: [{ Order: 1, ComputeEnvironment: ref(ids.computeEnvironment) }],
      },
    },
  };
  if (withJobRole) {
    const statements = datastore.readWriteStatements();
    const objectWildcards = statements
      .filter((st) => st.Effect === 'Allow')
      .flatMap((st) => [st.Resource].flat())
      .map((r) => nagValue(r as CfnValue))
      .filter((r) => r.includes('*'));
    resources[ids.jobRole] = {
      Type: 'AWS::IAM::Role',
      Metadata: objectWildcards.length
        ? scannerExceptions({
            id: 'AwsSolutions-IAM5',
            reason: 'Object keys of the Metaflow datastore bucket only: Metaflow derives artifact keys at run time.',
            appliesTo: objectWildcards.map((r) => `Resource::${r}`),
          })
        : undefined,
      Properties: {
        Description: "Role Metaflow's Batch jobs assume: read and write the datastore, nothing else",
        AssumeRolePolicyDocument: assumedBy('ecs-tasks.amazonaws.com'),
        Policies: [
          {
            PolicyName: 'metaflow-datastore',
            PolicyDocument: { Version: '2012-10-17', Statement: statements.map((s) => ({ ...s })) },
          },
        ],
      },
    };
  }
  return resources;
}
