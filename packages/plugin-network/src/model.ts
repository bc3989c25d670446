import { getAtt, PluginError, ref, type Naming } from '@mfinfra/core/plugin';
import type { NetworkApi } from './api.js';
import { planSubnets, type SubnetLayout } from './layout.js';
import { resolveCreate, type NetworkOptions, type ResolvedCreateOptions } from './options.js';

/** Logical ids of what `create` makes; zone-indexed ids count from 1 and never depend on the stack name. */
export function networkIds(naming: Naming) {
  const id = (...parts: string[]) => naming.logicalId('Network', ...parts);
  return {
    vpc: id('Vpc'),
    internetGateway: id('InternetGateway'),
    gatewayAttachment: id('InternetGateway', 'Attachment'),
    publicRouteTable: id('Public', 'RouteTable'),
    publicDefaultRoute: id('Public', 'DefaultRoute'),
    s3Endpoint: id('S3', 'Endpoint'),
    publicSubnet: (n: number) => id('Public', 'Subnet', String(n)),
    publicSubnetAssociation: (n: number) => id('Public', 'Subnet', String(n), 'RouteTableAssociation'),
    privateSubnet: (n: number) => id('Private', 'Subnet', String(n)),
    privateSubnetAssociation: (n: number) => id('Private', 'Subnet', String(n), 'RouteTableAssociation'),
    privateRouteTable: (n: number) => id('Private', 'RouteTable', String(n)),
    privateDefaultRoute: (n: number) => id('Private', 'DefaultRoute', String(n)),
    natEip: (n: number) => id('Nat', 'Eip', String(n)),
    natGateway: (n: number) => id('Nat', 'Gateway', String(n)),
    flowLog: id('FlowLog'),
    flowLogGroup: id('FlowLog', 'LogGroup'),
    flowLogRole: id('FlowLog', 'Role'),
    restrictDefaultSecurityGroup: id('Restrict', 'Default', 'SecurityGroup'),
    restrictDefaultSecurityGroupFunction: id('Restrict', 'Default', 'SecurityGroup', 'Function'),
    restrictDefaultSecurityGroupRole: id('Restrict', 'Default', 'SecurityGroup', 'Role'),
    restrictDefaultSecurityGroupLogGroup: id('Restrict', 'Default', 'SecurityGroup', 'LogGroup'),
  };
}
export type NetworkIds = ReturnType<typeof networkIds>;

export type NetworkModel =
  | { mode: 'existing'; api: NetworkApi }
  | { mode: 'create'; api: NetworkApi; ids: NetworkIds; options: ResolvedCreateOptions; layout: SubnetLayout };

/** 1..n */
export const zones = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** Everything the hooks need, derived from checked options. */
export function networkModel(naming: Naming, options: NetworkOptions): NetworkModel {
  const existing = options.existing;
  if (existing) {
    const assignPublicIp = existing.assignPublicIp ?? false;
    return {
      mode: 'existing',
      api: {
        mode: 'existing',
        vpcId: existing.vpcId,
        ...(existing.cidr !== undefined ? { vpcCidr: existing.cidr } : {}),
        subnetIds: [...existing.subnetIds],
        publicSubnetIds: [...(existing.publicSubnetIds ?? (assignPublicIp ? existing.subnetIds : []))],
        privateSubnetIds: assignPublicIp ? [] : [...existing.subnetIds],
        isPrivate: !assignPublicIp,
        assignPublicIp,
        securityGroupIds: [...(existing.securityGroupIds ?? [])],
        dependsOn: [],
      },
    };
  }
  const create = resolveCreate(options.create);
  const { layout } = planSubnets(create);
  if (!layout) throw new PluginError('network options were not checked before use');
  const ids = networkIds(naming);
  const n = zones(create.azs);
  const publicSubnetIds = n.map((i) => ref(ids.publicSubnet(i)));
  const privateSubnetIds = create.private ? n.map((i) => ref(ids.privateSubnet(i))) : [];
  return {
    mode: 'create',
    ids,
    options: create,
    layout,
    api: {
      mode: 'create',
      vpcId: ref(ids.vpc),
      vpcCidr: getAtt(ids.vpc, 'CidrBlock'),
      subnetIds: create.private ? privateSubnetIds : publicSubnetIds,
      publicSubnetIds,
      privateSubnetIds,
      isPrivate: create.private,
      assignPublicIp: !create.private,
      securityGroupIds: [],
      dependsOn: create.private ? n.map((i) => ids.privateDefaultRoute(i)) : [ids.publicDefaultRoute],
    },
  };
}
