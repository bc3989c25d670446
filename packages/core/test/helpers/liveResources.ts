/**
 * A live S3 bucket and DynamoDB table as AWS answers for them, for the tests of `adopt`, `migrate` and
 * the live reads (`src/deploy/importLive.ts`): each answer in the SDK's shape, the "not configured"
 * parts as the 404 errors S3 sends. The SDKs are read as namespaces, so the command list stays in
 * `importLive.ts` alone.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import * as dynamo from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import * as s3 from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { ImportClients } from '../../src/deploy/importLive.js';

/** Settings for SDK clients a test makes itself and mocks (no credentials are looked for, nothing goes out). */
export const TEST_CLIENT_CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

/** The live-read clients of an import: the deploy clients' S3, the given ones, new (unmocked) clients for the rest. */
export function importClients(s3Client: s3.S3Client, given: Partial<Omit<ImportClients, 's3'>> = {}): ImportClients {
  return {
    s3: s3Client,
    dynamoDb: given.dynamoDb ?? new dynamo.DynamoDBClient(TEST_CLIENT_CONFIG),
    rds: given.rds ?? new RDSClient(TEST_CLIENT_CONFIG),
    secretsManager: given.secretsManager ?? new SecretsManagerClient(TEST_CLIENT_CONFIG),
    logs: given.logs ?? new CloudWatchLogsClient(TEST_CLIENT_CONFIG),
  };
}

/** The error S3 answers with when a bucket has no such configuration (or no such bucket). */
export function s3Missing(name: string, message = name): s3.S3ServiceException {
  return new s3.S3ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 404 } });
}

export interface LiveBucket {
  /** The versioning status; absent: never turned on (S3 answers `{}`). */
  versioning?: 'Enabled';
  /** A public access block with all four settings on; absent: none is configured. */
  publicAccessBlocked?: boolean;
  /** One lifecycle rule (abort incomplete uploads after 7 days); absent: none is configured. */
  lifecycle?: boolean;
}

/**
 * S3 answers for an existing bucket with SSE-S3 encryption (no bucket key), no ownership controls and
 * no access logging, plus what `bucket` says.
 */
export function answerAsLiveBucket(mock: AwsClientStub<s3.S3Client>, bucket: LiveBucket = {}): void {
  mock.on(s3.HeadBucketCommand).resolves({});
  mock.on(s3.GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
    },
  });
  mock.on(s3.GetBucketVersioningCommand).resolves(bucket.versioning ? { Status: bucket.versioning } : {});
  if (bucket.publicAccessBlocked) {
    mock.on(s3.GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  } else {
    mock.on(s3.GetPublicAccessBlockCommand).rejects(s3Missing('NoSuchPublicAccessBlockConfiguration'));
  }
  mock.on(s3.GetBucketOwnershipControlsCommand).rejects(s3Missing('OwnershipControlsNotFoundError'));
  if (bucket.lifecycle) {
    mock.on(s3.GetBucketLifecycleConfigurationCommand).resolves({
      Rules: [{ ID: 'abort', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }],
    });
  } else {
    mock.on(s3.GetBucketLifecycleConfigurationCommand).rejects(s3Missing('NoSuchLifecycleConfiguration'));
  }
  mock.on(s3.GetBucketLoggingCommand).resolves({});
}

export interface LiveTable {
  name: string;
  /** The TTL attribute; absent: TTL is off. */
  ttl?: string;
}

/**
 * DynamoDB answers for an existing on-demand table keyed by `pathspec` (a string hash key), with
 * AWS-owned encryption and point-in-time recovery off, plus what `table` says.
 */
export function answerAsLiveTable(mock: AwsClientStub<dynamo.DynamoDBClient>, table: LiveTable): void {
  mock.on(dynamo.DescribeTableCommand).resolves({
    Table: {
      TableName: table.name,
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'pathspec', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pathspec', AttributeType: 'S' }],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    },
  });
  mock.on(dynamo.DescribeTimeToLiveCommand).resolves({
    TimeToLiveDescription: table.ttl ? { AttributeName: table.ttl, TimeToLiveStatus: 'ENABLED' } : { TimeToLiveStatus: 'DISABLED' },
  });
  mock.on(dynamo.DescribeContinuousBackupsCommand).resolves({
    ContinuousBackupsDescription: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' },
    },
  });
}
