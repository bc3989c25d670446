/**
 * Small stand-ins for the batch and datastore plugins, giving APIs of the agreed shape, so the
 * scheduling plugin can be compiled on its own. They create just enough real resources for the
 * template to reference and for cfn-lint to check.
 */
import { definePlugin, getAtt, ref, sub } from '@mfinfra/core/plugin';
import type { BatchApi, DatastoreApi } from '../src/peerApis.js';

export const fakeBatch = definePlugin<Record<string, never>, BatchApi>({
  name: 'test:batch',
  apiVersion: 1,
  key: 'batch',
  schema: { type: 'object' },
  optionalSection: true,
  api() {
    return {
      jobRoleName: ref('BatchJobRole'),
      jobRoleArn: getAtt('BatchJobRole', 'Arn'),
      jobQueueArns: [
        sub('arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-queue/mf-test-cpu'),
        sub('arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-queue/mf-test-gpu'),
      ],
      defaultJobQueueArn: sub('arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-queue/mf-test-cpu'),
    };
  },
  resources() {
    return {
      BatchJobRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        },
      },
    };
  },
});

export const fakeDatastore = definePlugin<{ kms?: boolean }, DatastoreApi>({
  name: 'test:datastore',
  apiVersion: 1,
  key: 'datastore',
  schema: { type: 'object' },
  optionalSection: true,
  api(_ctx, o) {
    const kmsKeyArn = o.kms ? 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' : undefined;
    return {
      bucketName: ref('DatastoreBucket'),
      bucketArn: getAtt('DatastoreBucket', 'Arn'),
      sysroot: sub('s3://${DatastoreBucket}/metaflow'),
      datatoolsRoot: sub('s3://${DatastoreBucket}/data'),
      kmsKeyArn,
      readWriteStatements: () => [
        {
          Sid: 'MetaflowDatastoreListBucket',
          Effect: 'Allow',
          Action: ['s3:GetBucketLocation', 's3:ListBucket'],
          Resource: getAtt('DatastoreBucket', 'Arn'),
        },
        {
          Sid: 'MetaflowDatastoreReadWriteObjects',
          Effect: 'Allow',
          Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          Resource: sub('${DatastoreBucket.Arn}/*'),
        },
        ...(kmsKeyArn
          ? [
              {
                Sid: 'MetaflowDatastoreUseKey',
                Effect: 'Allow' as const,
                Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                Resource: kmsKeyArn,
              },
            ]
          : []),
      ],
    };
  },
  resources() {
    return {
      DatastoreBucket: {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        },
      },
    };
  },
});

/** A stand-in for the metadata plugin (scheduling only checks that it is loaded). */
export const fakeMetadata = definePlugin({
  name: 'test:metadata',
  apiVersion: 1,
  key: 'metadata',
  schema: { type: 'object' },
  optionalSection: true,
});

export const plugins = { batch: fakeBatch, datastore: fakeDatastore, metadata: fakeMetadata };

export function manifest(scheduling: string, opts: { plugins?: string[]; datastore?: string; stack?: string } = {}): string {
  return [
    'version: 1',
    `stack: { name: ${opts.stack ?? 'mf-test'}, region: us-west-2 }`,
    `plugins: [${(opts.plugins ?? ['datastore', 'batch', 'metadata', 'scheduling']).join(', ')}]`,
    `datastore: ${opts.datastore ?? '{}'}`,
    scheduling,
    '',
  ].join('\n');
}
