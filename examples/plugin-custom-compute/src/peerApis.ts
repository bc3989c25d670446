/**
 * The parts of other plugins' APIs this plugin reads, written out structurally so the package
 * depends on nothing but `@mfinfra/core`. They match the agreed `NetworkApi` (@mfinfra/plugin-network)
 * and `DatastoreApi` (@mfinfra/plugin-datastore); any plugin that owns the `network` or `datastore`
 * section with these fields works.
 */
import type { CfnValue } from '@mfinfra/core/plugin';

/** An IAM policy statement, as `DatastoreApi.readWriteStatements()` returns them. */
export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: CfnValue;
  Condition?: { [operator: string]: { [key: string]: CfnValue } };
}

/** What this plugin reads from the `network` plugin's api. */
export interface NetworkView {
  vpcId: CfnValue;
  /** Where workloads go: private subnets if any, else public. */
  subnetIds: CfnValue[];
  /** Extra security groups the user gave for an existing VPC. */
  securityGroupIds: CfnValue[];
  /** Resources (default routes, NAT) that must exist before instances start. */
  dependsOn: string[];
}

/** What this plugin reads from the `datastore` plugin's api. */
export interface DatastoreView {
  bucketArn: CfnValue;
  /** Least-privilege statements for Metaflow's object reads and writes (incl. KMS when SSE-KMS). */
  readWriteStatements(): IamStatement[];
}
