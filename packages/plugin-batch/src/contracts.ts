/**
 * The shapes this plugin reads from the `network` and `datastore` plugins (the team's agreed
 * contract). Kept here until @mfinfra/plugin-network and @mfinfra/plugin-datastore publish them.
 */
import type { CfnValue } from '@mfinfra/core/plugin';

/** One IAM policy statement. */
export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: CfnValue;
  Condition?: { [operator: string]: { [key: string]: CfnValue } };
}

/** What `ctx.use('network')` gives. */
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

/** What `ctx.use('datastore')` gives. */
export interface DatastoreApi {
  bucketName: CfnValue;
  bucketArn: CfnValue;
  sysroot: CfnValue;
  datatoolsRoot: CfnValue;
  kmsKeyArn?: CfnValue;
  readWriteStatements(): IamStatement[];
}
