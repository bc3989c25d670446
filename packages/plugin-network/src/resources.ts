import { getAtt, ref, sub, type CfnResource, type CfnValue, type Naming } from '@mfinfra/core/plugin';
import { zones, type NetworkModel } from './model.js';
import { flowLogResources, restrictDefaultSecurityGroupResources } from './securityDefaults.js';

type CreateModel = Extract<NetworkModel, { mode: 'create' }>;

/** The VPC, subnets, gateways, route tables and S3 endpoint of `create` mode. */
export function networkResources(naming: Naming, model: NetworkModel): Record<string, CfnResource> {
  if (model.mode === 'existing') return {};
  const { ids, options, layout } = model;
  const name = (...parts: string[]) => [{ Key: 'Name', Value: naming.physicalName(parts, { maxLength: 255 }) }];
  const vpcId = ref(ids.vpc);
  const az = (i: number): CfnValue => ({ 'Fn::Select': [i - 1, { 'Fn::GetAZs': '' }] });
  const resources: Record<string, CfnResource> = {
    [ids.vpc]: {
      Type: 'AWS::EC2::VPC',
      Properties: { CidrBlock: layout.vpc, EnableDnsSupport: true, EnableDnsHostnames: true, Tags: name('vpc') },
    },
    [ids.internetGateway]: { Type: 'AWS::EC2::InternetGateway', Properties: { Tags: name('igw') } },
    [ids.gatewayAttachment]: {
      Type: 'AWS::EC2::VPCGatewayAttachment',
      Properties: { VpcId: vpcId, InternetGatewayId: ref(ids.internetGateway) },
    },
    [ids.publicRouteTable]: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: vpcId, Tags: name('public') } },
    [ids.publicDefaultRoute]: {
      Type: 'AWS::EC2::Route',
      DependsOn: ids.gatewayAttachment,
      Properties: { RouteTableId: ref(ids.publicRouteTable), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref(ids.internetGateway) },
    },
  };
  for (const i of zones(options.azs)) {
    resources[ids.publicSubnet(i)] = {
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: vpcId,
        CidrBlock: layout.public[i - 1],
        AvailabilityZone: az(i),
        // Only workloads without NAT need addresses that reach the internet.
        MapPublicIpOnLaunch: options.private ? undefined : true,
        Tags: name('public', String(i)),
      },
    };
    resources[ids.publicSubnetAssociation(i)] = {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: ref(ids.publicSubnet(i)), RouteTableId: ref(ids.publicRouteTable) },
    };
  }
  if (options.private) Object.assign(resources, privateResources(model, az, name));
  if (options.s3Endpoint) {
    const routeTables = [
      ref(ids.publicRouteTable),
      ...(options.private ? zones(options.azs).map((i) => ref(ids.privateRouteTable(i))) : []),
    ];
    resources[ids.s3Endpoint] = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcId: vpcId,
        ServiceName: sub('com.amazonaws.${AWS::Region}.s3'),
        VpcEndpointType: 'Gateway',
        RouteTableIds: routeTables,
        Tags: name('s3'),
      },
    };
  }
  if (options.flowLogs !== false) Object.assign(resources, flowLogResources(ids, options.flowLogs));
  if (options.restrictDefaultSecurityGroup) Object.assign(resources, restrictDefaultSecurityGroupResources(ids));
  return resources;
}

/**
 * Private subnets, one route table per zone (so moving between one shared NAT gateway and one per
 * zone only changes routes), and the NAT gateways with their Elastic IPs in the public subnets.
 */
function privateResources(
  { ids, options, layout }: CreateModel,
  az: (i: number) => CfnValue,
  name: (...parts: string[]) => CfnValue,
): Record<string, CfnResource> {
  const resources: Record<string, CfnResource> = {};
  const perAz = options.natGateways === 'per-az';
  for (const i of zones(options.azs)) {
    if (perAz || i === 1) {
      resources[ids.natEip(i)] = {
        Type: 'AWS::EC2::EIP',
        DependsOn: ids.gatewayAttachment,
        Properties: { Domain: 'vpc', Tags: name('nat', String(i)) },
      };
      resources[ids.natGateway(i)] = {
        Type: 'AWS::EC2::NatGateway',
        Properties: {
          AllocationId: getAtt(ids.natEip(i), 'AllocationId'),
          SubnetId: ref(ids.publicSubnet(i)),
          Tags: name('nat', String(i)),
        },
      };
    }
    resources[ids.privateSubnet(i)] = {
      Type: 'AWS::EC2::Subnet',
      Properties: { VpcId: ref(ids.vpc), CidrBlock: layout.private[i - 1], AvailabilityZone: az(i), Tags: name('private', String(i)) },
    };
    resources[ids.privateRouteTable(i)] = {
      Type: 'AWS::EC2::RouteTable',
      Properties: { VpcId: ref(ids.vpc), Tags: name('private', String(i)) },
    };
    resources[ids.privateDefaultRoute(i)] = {
      Type: 'AWS::EC2::Route',
      Properties: {
        RouteTableId: ref(ids.privateRouteTable(i)),
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: ref(ids.natGateway(perAz ? i : 1)),
      },
    };
    resources[ids.privateSubnetAssociation(i)] = {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: ref(ids.privateSubnet(i)), RouteTableId: ref(ids.privateRouteTable(i)) },
    };
  }
  return resources;
}
