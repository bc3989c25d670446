/**
 * The parts of the batch plugin's API this plugin reads (the agreed `BatchApi` contract). A local
 * copy until `@mfinfra/plugin-batch` is published in this workspace; then an `import type`.
 */
import type { CfnValue } from '@mfinfra/core/plugin';

/** `@mfinfra/plugin-batch`, manifest key `batch`. */
export interface BatchApi {
  jobRoleName: CfnValue;
  jobRoleArn: CfnValue;
  jobQueueArns: CfnValue[];
  defaultJobQueueArn: CfnValue;
  fargateExecutionRoleArn?: CfnValue;
  securityGroupId?: CfnValue;
}

/** One IAM policy statement (as the datastore plugin returns them). */
export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: CfnValue;
  Condition?: { [operator: string]: { [key: string]: CfnValue } };
}

/** `@mfinfra/plugin-datastore`, manifest key `datastore`. */
export interface DatastoreApi {
  bucketName: CfnValue;
  bucketArn: CfnValue;
  sysroot: CfnValue;
  datatoolsRoot: CfnValue;
  kmsKeyArn?: CfnValue;
  readWriteStatements(): IamStatement[];
}
