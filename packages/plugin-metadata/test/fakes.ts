/**
 * Small stand-ins for the network and batch plugins, giving APIs of the agreed shape, so the
 * metadata plugin can be compiled on its own. They create just enough real resources for the
 * template to reference and for cfn-lint to check.
 */
import { definePlugin, getAtt, ref, type CfnResource } from '@mfinfra/core/plugin';
import type { BatchApi, NetworkApi } from '../src/peerApis.js';

interface FakeNetworkOptions {
  mode?: 'create' | 'existing';
  private?: boolean;
  cidr?: string;
  subnets?: number;
  securityGroupIds?: string[];
}

const EXISTING_SUBNETS = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'];

export const fakeNetwork = definePlugin<FakeNetworkOptions, NetworkApi>({
  name: 'test:network',
  apiVersion: 1,
  key: 'network',
  schema: { type: 'object' },
  optionalSection: true,
  api(_ctx, o) {
    const isPrivate = o.private ?? true;
    if (o.mode === 'existing') {
      const subnetIds = EXISTING_SUBNETS.slice(0, o.subnets ?? 2);
      return {
        mode: 'existing',
        vpcId: 'vpc-0a1b2c3d4e5f60000',
        vpcCidr: o.cidr,
        subnetIds,
        publicSubnetIds: isPrivate ? [] : subnetIds,
        privateSubnetIds: isPrivate ? subnetIds : [],
        isPrivate,
        assignPublicIp: !isPrivate,
        securityGroupIds: o.securityGroupIds ?? [],
        dependsOn: [],
      };
    }
    const subnetIds = [ref('NetSubnetA'), ref('NetSubnetB')];
    return {
      mode: 'create',
      vpcId: ref('NetVpc'),
      vpcCidr: getAtt('NetVpc', 'CidrBlock'),
      subnetIds,
      publicSubnetIds: isPrivate ? [] : subnetIds,
      privateSubnetIds: isPrivate ? subnetIds : [],
      isPrivate,
      assignPublicIp: !isPrivate,
      securityGroupIds: [],
      dependsOn: ['NetRoute'],
    };
  },
  resources(_ctx, o): Record<string, CfnResource> {
    if (o.mode === 'existing') return {};
    const subnet = (i: number, cidr: string): CfnResource => ({
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: ref('NetVpc'),
        CidrBlock: cidr,
        AvailabilityZone: { 'Fn::Select': [i, { 'Fn::GetAZs': '' }] },
      },
    });
    return {
      NetVpc: {
        Type: 'AWS::EC2::VPC',
        Properties: { CidrBlock: o.cidr ?? '10.20.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true },
      },
      NetSubnetA: subnet(0, '10.20.0.0/20'),
      NetSubnetB: subnet(1, '10.20.16.0/20'),
      NetRouteTable: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('NetVpc') } },
      NetGateway: { Type: 'AWS::EC2::InternetGateway', Properties: {} },
      NetGatewayAttachment: {
        Type: 'AWS::EC2::VPCGatewayAttachment',
        Properties: { VpcId: ref('NetVpc'), InternetGatewayId: ref('NetGateway') },
      },
      NetRoute: {
        Type: 'AWS::EC2::Route',
        DependsOn: 'NetGatewayAttachment',
        Properties: { RouteTableId: ref('NetRouteTable'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('NetGateway') },
      },
    };
  },
});

export const fakeBatch = definePlugin<Record<string, never>, BatchApi>({
  name: 'test:batch',
  apiVersion: 1,
  key: 'batch',
  schema: { type: 'object' },
  optionalSection: true,
  requires: ['network'],
  api() {
    return {
      jobRoleName: ref('BatchJobRole'),
      jobRoleArn: getAtt('BatchJobRole', 'Arn'),
      jobQueueArns: ['arn:aws:batch:us-west-2:123456789012:job-queue/test-default'],
      defaultJobQueueArn: 'arn:aws:batch:us-west-2:123456789012:job-queue/test-default',
      securityGroupId: getAtt('BatchSecurityGroup', 'GroupId'),
    };
  },
  resources(ctx) {
    const network = ctx.use<NetworkApi>('network');
    return {
      BatchJobRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        },
      },
      BatchSecurityGroup: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'batch', VpcId: network.vpcId } },
    };
  },
});

export const plugins = { network: fakeNetwork, batch: fakeBatch };

/** A manifest with the fake network (and batch when asked) plus a metadata section. */
export function manifest(metadata: string, opts: { network?: string; batch?: boolean } = {}): string {
  const list = ['network', ...(opts.batch ? ['batch'] : []), 'metadata'];
  return [
    'version: 1',
    'stack: { name: mf-test, region: us-west-2 }',
    `plugins: [${list.join(', ')}]`,
    `network: ${opts.network ?? '{ mode: create }'}`,
    metadata,
    '',
  ].join('\n');
}
