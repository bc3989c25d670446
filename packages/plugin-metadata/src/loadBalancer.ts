import { getAtt, ref, scannerExceptions, type CfnResource, type CfnValue, type PluginContext } from '@mfinfra/core/plugin';
import { ID } from './ids.js';
import { MIGRATION_PORT, SERVICE_PORT, type MetadataOptions } from './options.js';
import type { BatchApi, NetworkApi } from './peerApis.js';

/** The load balancer's listener for the metadata service (the internal URL has no port). */
export const LISTENER_PORT = 80;

/** Who may reach the internal load balancer, described for the security group rules. */
export interface LoadBalancerSources {
  cidrs: { cidr: CfnValue; description: string }[];
  batchSecurityGroupId?: CfnValue;
}

export function loadBalancerSources(options: MetadataOptions, network: NetworkApi, batch: BatchApi | undefined): LoadBalancerSources {
  const cidrs: LoadBalancerSources['cidrs'] = [];
  if (network.vpcCidr !== undefined) cidrs.push({ cidr: network.vpcCidr, description: 'the VPC' });
  for (const cidr of options.allowedCidrs) cidrs.push({ cidr, description: `allowedCidrs ${cidr}` });
  return { cidrs, batchSecurityGroupId: batch?.securityGroupId };
}

/**
 * An internal network load balancer with its own security group: port 80 (service) open only to
 * the VPC, `allowedCidrs` and Batch's compute security group; port 8082 (migration service) only to
 * the migration function's security group (see migration.ts).
 * The service's security group accepts traffic from the load balancer's group only.
 */
export function loadBalancerResources(
  ctx: PluginContext,
  options: MetadataOptions,
  network: NetworkApi,
  sources: LoadBalancerSources,
): Record<string, CfnResource> {
  // Port 8082 (the unauthenticated migration service) is open only to the migration function (migration.ts).
  const ingress = sources.cidrs.map(({ cidr, description }) => ({
    IpProtocol: 'tcp',
    FromPort: LISTENER_PORT,
    ToPort: LISTENER_PORT,
    CidrIp: cidr,
    Description: `Metadata service from ${description}`,
  }));
  const resources: Record<string, CfnResource> = {
    [ID.loadBalancerSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Metadata: sources.cidrs.some((c) => typeof c.cidr !== 'string')
        ? scannerExceptions({
            id: 'AwsSolutions-EC23',
            reason:
              "cdk-nag cannot evaluate the VPC's CIDR (GetAtt at deploy time): the sources are the VPC itself and the manifest's allowedCidrs, and the project's checks refuse 0.0.0.0/0 and ::/0.",
          })
        : undefined,
      Properties: {
        GroupDescription: `Metaflow metadata load balancer (stack ${ctx.stack.name})`,
        VpcId: network.vpcId,
        SecurityGroupIngress: ingress.length > 0 ? ingress : undefined,
      },
    },
    [ID.serviceSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `Metaflow metadata service tasks (stack ${ctx.stack.name})`,
        VpcId: network.vpcId,
      },
    },
    [ID.serviceIngressFromLoadBalancer]: sgIngress(
      ID.serviceSecurityGroup,
      SERVICE_PORT,
      ID.loadBalancerSecurityGroup,
      'Metadata service from its load balancer',
    ),
    [ID.migrationIngressFromLoadBalancer]: sgIngress(
      ID.serviceSecurityGroup,
      MIGRATION_PORT,
      ID.loadBalancerSecurityGroup,
      'Migration service from its load balancer',
    ),
    [ID.loadBalancer]: {
      Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      Metadata: scannerExceptions(
        {
          id: 'AwsSolutions-ELB2',
          reason:
            'A Network Load Balancer writes access logs only for TLS listeners; its listeners are TCP (TLS ends at API Gateway or is not used inside the VPC). VPC flow logs record its connections.',
        },
        {
          id: 'CKV_AWS_91',
          reason: 'Network Load Balancer access logs exist only for TLS listeners; these are TCP. VPC flow logs record the connections.',
        },
      ),
      DependsOn: network.dependsOn.length > 0 ? [...network.dependsOn] : undefined,
      Properties: {
        Type: 'network',
        Scheme: 'internal',
        Subnets: network.subnetIds,
        SecurityGroups: [getAtt(ID.loadBalancerSecurityGroup, 'GroupId')],
        // API Gateway's VPC link arrives over PrivateLink: the API key guards that path.
        EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: options.access === 'api-gateway' ? 'off' : undefined,
        LoadBalancerAttributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }],
      },
    },
    [ID.serviceTargetGroup]: targetGroup(network, SERVICE_PORT),
    [ID.migrationTargetGroup]: targetGroup(network, MIGRATION_PORT),
    [ID.serviceListener]: listener(LISTENER_PORT, ID.serviceTargetGroup),
    [ID.migrationListener]: listener(MIGRATION_PORT, ID.migrationTargetGroup),
  };
  if (sources.batchSecurityGroupId !== undefined) {
    resources[ID.loadBalancerIngressFromBatch] = sgIngressFrom(
      ID.loadBalancerSecurityGroup,
      LISTENER_PORT,
      sources.batchSecurityGroupId,
      'Metadata service from Batch jobs',
    );
  }
  return resources;
}

function sgIngress(groupId: string, port: number, sourceGroupId: string, description: string): CfnResource {
  return sgIngressFrom(groupId, port, getAtt(sourceGroupId, 'GroupId'), description);
}

function sgIngressFrom(groupId: string, port: number, source: CfnValue, description: string): CfnResource {
  return {
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: {
      GroupId: getAtt(groupId, 'GroupId'),
      IpProtocol: 'tcp',
      FromPort: port,
      ToPort: port,
      SourceSecurityGroupId: source,
      Description: description,
    },
  };
}

function targetGroup(network: NetworkApi, port: number): CfnResource {
  return {
    Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
    Properties: {
      Protocol: 'TCP',
      Port: port,
      TargetType: 'ip',
      VpcId: network.vpcId,
      // Both target groups check the metadata service itself (the migration service has no ping).
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: String(SERVICE_PORT),
      HealthCheckPath: '/ping',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
    },
  };
}

function listener(port: number, targetGroupId: string): CfnResource {
  return {
    Type: 'AWS::ElasticLoadBalancingV2::Listener',
    Properties: {
      LoadBalancerArn: ref(ID.loadBalancer),
      Protocol: 'TCP',
      Port: port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: ref(targetGroupId) }],
    },
  };
}
