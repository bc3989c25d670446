/**
 * Minimal stand-ins for the `network`, `datastore` and `batch` plugins: they own those manifest
 * sections and expose the agreed api shapes, so the GPU plugin can be tested on its own.
 */
import { definePlugin, getAtt, ref, sub, type Plugin } from '@mfinfra/core/plugin';

const anySection = { type: 'object' };

export const fakeNetwork = definePlugin({
  name: 'test:network',
  apiVersion: 1,
  key: 'network',
  schema: anySection,
  optionalSection: true,
  api: () => ({
    mode: 'existing' as const,
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    publicSubnetIds: [],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    isPrivate: true,
    assignPublicIp: false,
    securityGroupIds: ['sg-0123456789abcdef0'],
    dependsOn: [],
  }),
});

export const fakeDatastore = definePlugin({
  name: 'test:datastore',
  apiVersion: 1,
  key: 'datastore',
  schema: anySection,
  optionalSection: true,
  resources: () => ({ DatastoreBucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } }),
  api: () => ({
    bucketName: ref('DatastoreBucket'),
    bucketArn: getAtt('DatastoreBucket', 'Arn'),
    sysroot: sub('s3://${DatastoreBucket}/metaflow'),
    datatoolsRoot: sub('s3://${DatastoreBucket}/data'),
    readWriteStatements: () => [
      { Sid: 'ListBucket', Effect: 'Allow' as const, Action: 's3:ListBucket', Resource: getAtt('DatastoreBucket', 'Arn') },
      {
        Sid: 'ReadWriteObjects',
        Effect: 'Allow' as const,
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: sub('${DatastoreBucket.Arn}/*'),
      },
    ],
  }),
});

/** Stands in for @mfinfra/plugin-batch: owns METAFLOW_BATCH_JOB_QUEUE and the job role. */
export const fakeBatch = definePlugin({
  name: 'test:batch',
  apiVersion: 1,
  key: 'batch',
  schema: anySection,
  optionalSection: true,
  outputs: () => ({ METAFLOW_BATCH_JOB_QUEUE: 'arn:aws:batch:us-west-2:123456789012:job-queue/cpu' }),
});

export const fakes: Record<string, Plugin<any, any>> = { network: fakeNetwork, datastore: fakeDatastore };
