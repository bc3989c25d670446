import type { CfnValue } from '@mfinfra/core/plugin';
import type { DatastoreModel } from './model.js';

/** One IAM policy statement. */
export type IamStatement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: CfnValue;
  Condition?: { [operator: string]: { [key: string]: CfnValue } };
};

/** What the datastore offers other plugins (`ctx.use<DatastoreApi>('datastore')`). */
export interface DatastoreApi {
  bucketName: CfnValue;
  bucketArn: CfnValue;
  /** s3://<bucket>/<prefix> (METAFLOW_DATASTORE_SYSROOT_S3) */
  sysroot: CfnValue;
  /** METAFLOW_DATATOOLS_S3ROOT */
  datatoolsRoot: CfnValue;
  /** Set when SSE-KMS: roles that read/write need kms:Decrypt/GenerateDataKey. */
  kmsKeyArn?: CfnValue;
  /** Least-privilege statements for Metaflow's object read/write. */
  readWriteStatements(): IamStatement[];
}

export function datastoreApi(model: DatastoreModel): DatastoreApi {
  return {
    bucketName: model.bucketName,
    bucketArn: model.bucketArn,
    sysroot: model.sysroot,
    datatoolsRoot: model.datatoolsRoot,
    ...(model.kmsKeyArn !== undefined ? { kmsKeyArn: model.kmsKeyArn } : {}),
    readWriteStatements: () => readWriteStatements(model),
  };
}

function readWriteStatements(model: DatastoreModel): IamStatement[] {
  const statements: IamStatement[] = [
    {
      Sid: 'MetaflowDatastoreListBucket',
      Effect: 'Allow',
      Action: ['s3:GetBucketLocation', 's3:ListBucket'],
      Resource: model.bucketArn,
    },
    {
      Sid: 'MetaflowDatastoreReadWriteObjects',
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      Resource: model.objectsArn,
    },
  ];
  if (model.kmsKeyArn !== undefined) {
    statements.push({
      Sid: 'MetaflowDatastoreUseKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: model.kmsKeyArn,
    });
  }
  return statements;
}
