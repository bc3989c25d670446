import { compileManifest, fakePlugin, problems as problemsOf } from '@mfinfra/core/testing';
import network, { type NetworkApi } from '../src/index.js';

/** The NetworkApi the consumer plugin saw in the last compile. */
export const seen: { api?: NetworkApi } = {};

/** A plugin that puts a workload in the network, as batch and metadata do. */
export const consumer = fakePlugin({
  key: 'consumer',
  requires: ['network'],
  resources: (ctx) => {
    const net = ctx.use<NetworkApi>('network');
    seen.api = net;
    return {
      ConsumerSecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'workload',
          VpcId: net.vpcId,
          SecurityGroupIngress:
            net.vpcCidr === undefined ? undefined : [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, CidrIp: net.vpcCidr }],
        },
      },
      ConsumerDbSubnetGroup: {
        Type: 'AWS::RDS::DBSubnetGroup',
        DependsOn: net.dependsOn.length ? net.dependsOn : undefined,
        Properties: { DBSubnetGroupDescription: 'workload', SubnetIds: net.subnetIds },
      },
    };
  },
});

export const plugins = { network, consumer };

export function compile(yaml: string) {
  return compileManifest(yaml, { plugins });
}

/** The problems a manifest fails with, as a user sees them: code, where, what. */
export function problems(yaml: string) {
  return problemsOf(yaml, { plugins });
}
