/**
 * A plugin with mfinfra's shapes for the tests of `adopt` (`test/deploy/import.test.ts` compiles with
 * it; `adoptCli.test.ts` names this file in a manifest's plugins:, as a user names a local plugin,
 * which the CLI loads through jiti). It imports nothing at run time, so it loads on its own.
 */
import type { Plugin } from '../../src/plugin.js';

/** The bucket the plugin names. */
export const STORES_BUCKET = 'metaflow-data-123';

export interface StoresOptions {
  versioning?: boolean;
  logs?: boolean;
}

/** A plugin with mfinfra's shapes: a retained bucket, a retained table, a queue that refers to the bucket, a stack output. */
const storesPlugin: Plugin<StoresOptions> = {
  name: 'test:stores',
  apiVersion: 1,
  key: 'stores',
  schema: { type: 'object', additionalProperties: false, properties: { versioning: { type: 'boolean' }, logs: { type: 'boolean' } } },
  resources: (_ctx, o) => ({
    DataBucket: {
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketName: STORES_BUCKET,
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        ...(o.versioning ? { VersioningConfiguration: { Status: 'Enabled' } } : {}),
        ...(o.logs ? { LoggingConfiguration: { DestinationBucketName: { Ref: 'LogBucket' }, LogFilePrefix: 'datastore/' } } : {}),
      },
    },
    ...(o.logs
      ? {
          LogBucket: {
            Type: 'AWS::S3::Bucket',
            DeletionPolicy: 'Retain',
            Properties: {
              BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
            },
          },
        }
      : {}),
    StateTable: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pathspec', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pathspec', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
    },
    Worker: {
      Type: 'AWS::SQS::Queue',
      Properties: { SqsManagedSseEnabled: true, Tags: [{ Key: 'bucket', Value: { Ref: 'DataBucket' } }] },
    },
  }),
  stackOutputs: () => ({ BucketName: { value: { Ref: 'DataBucket' } } }),
};

export default storesPlugin;
