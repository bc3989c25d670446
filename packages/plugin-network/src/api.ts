import type { CfnValue } from '@mfinfra/core/plugin';

/** What the network offers other plugins (`ctx.use<NetworkApi>('network')`). */
export interface NetworkApi {
  mode: 'create' | 'existing';
  /** `{ Ref: ... }` or a literal vpc id. */
  vpcId: CfnValue;
  /** GetAtt VPC.CidrBlock, or the `cidr` the user gave for an existing VPC. */
  vpcCidr?: CfnValue;
  /** Where workloads (Batch, Fargate, RDS) go: private subnets if any, else public. */
  subnetIds: CfnValue[];
  publicSubnetIds: CfnValue[];
  /** [] when there are none. */
  privateSubnetIds: CfnValue[];
  /** Workloads sit in private subnets (egress through NAT / endpoints). */
  isPrivate: boolean;
  /** Workloads need a public IP to reach the internet (public subnets, no NAT). */
  assignPublicIp: boolean;
  /** Extra security groups the user gave (existing mode); may be []. */
  securityGroupIds: CfnValue[];
  /** Logical ids workloads should DependsOn (default routes / NAT); [] for existing. */
  dependsOn: string[];
}
