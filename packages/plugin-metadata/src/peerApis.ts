/**
 * The parts of other plugins' APIs this plugin reads, as agreed between the plugins (see the
 * `NetworkApi` and `BatchApi` contract). Local copies until `@mfinfra/plugin-network` and
 * `@mfinfra/plugin-batch` are published in this workspace; then these become `import type`s.
 */
import type { CfnValue } from '@mfinfra/core/plugin';

/** `@mfinfra/plugin-network`, manifest key `network`. */
export interface NetworkApi {
  mode: 'create' | 'existing';
  vpcId: CfnValue;
  vpcCidr?: CfnValue;
  subnetIds: CfnValue[];
  publicSubnetIds: CfnValue[];
  privateSubnetIds: CfnValue[];
  isPrivate: boolean;
  assignPublicIp: boolean;
  securityGroupIds: CfnValue[];
  dependsOn: string[];
}

/** `@mfinfra/plugin-batch`, manifest key `batch` (read only when loaded). */
export interface BatchApi {
  jobRoleName: CfnValue;
  jobRoleArn: CfnValue;
  jobQueueArns: CfnValue[];
  defaultJobQueueArn: CfnValue;
  fargateExecutionRoleArn?: CfnValue;
  securityGroupId?: CfnValue;
}
