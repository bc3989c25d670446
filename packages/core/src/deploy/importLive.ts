/**
 * Read a live resource that is about to be imported, as CloudFormation properties: the S3 bucket
 * (encryption, versioning, public access block, ownership, lifecycle, logging), the DynamoDB table
 * (keys, billing, TTL, point-in-time recovery, encryption), the RDS instance, the Secrets Manager
 * secret and the CloudWatch log group. Only what mfinfra templates set is read; `importPlan.ts`
 * compares it with the template. Nothing here changes anything in AWS.
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../aws/clients.js';
import { fail, type MfinfraError } from '../errors.js';
import { awsErrorName } from './awsErrors.js';
import { callAws, type CallOptions, type PollOptions } from './poll.js';

/** The clients the live reads use (S3 comes from the deploy clients; the others are made here). */
export interface ImportClients {
  s3: S3Client;
  dynamoDb: DynamoDBClient;
  rds: RDSClient;
  secretsManager: SecretsManagerClient;
  logs: CloudWatchLogsClient;
}

/** The live-read clients, made with the deploy clients' settings (credentials, region, endpoint, timeouts). */
export function importClientsOf(clients: AwsClients): ImportClients {
  // The SDK's constructors take an optional config tuple, which the generic factory's signature does not spell.
  const make = <C>(Client: unknown): C => clients.client(Client as new () => C);
  return {
    s3: clients.s3,
    dynamoDb: make<DynamoDBClient>(DynamoDBClient),
    rds: make<RDSClient>(RDSClient),
    secretsManager: make<SecretsManagerClient>(SecretsManagerClient),
    logs: make<CloudWatchLogsClient>(CloudWatchLogsClient),
  };
}

/** One live resource, as CloudFormation would describe it. */
export interface LiveResource {
  resourceType: string;
  /** What the user named (bucket name, table name, DB instance identifier, secret ARN or name, log group name). */
  physicalId: string;
  /** Identifier property → value, for ResourcesToImport (BucketName, TableName, DBInstanceIdentifier, Id, LogGroupName). */
  identifier: Record<string, string>;
  /** The properties read, in CloudFormation's shape. A property absent here is not set on the live resource. */
  properties: Record<string, unknown>;
}

/** Resource types `mfinfra adopt` can read (and so import). */
export const IMPORTABLE_TYPES = [
  'AWS::S3::Bucket',
  'AWS::DynamoDB::Table',
  'AWS::RDS::DBInstance',
  'AWS::SecretsManager::Secret',
  'AWS::Logs::LogGroup',
] as const;

export function isImportable(type: string): boolean {
  return (IMPORTABLE_TYPES as readonly string[]).includes(type);
}

function notFound(type: string, id: string, what: string): MfinfraError {
  return fail.IMPORT_REFUSED(`${type} ${id} was not found: ${what}`, {
    hint: 'check the name (and --region / --profile); only resources that exist can be imported',
  });
}

/** The SDK error behind a failed callAws (which wraps it as the cause), or the error itself. */
function sdkCause(e: unknown): unknown {
  return (e as { cause?: unknown }).cause ?? e;
}

/** A read whose "not configured" error (`absent`) means the property is absent. */
async function optional<T>(what: string, absent: string, call: () => Promise<T>, options: PollOptions): Promise<T | undefined> {
  try {
    return await callAws(what, call, options);
  } catch (e) {
    if (awsErrorName(sdkCause(e)) === absent) return undefined;
    throw e;
  }
}

/** A read of the resource itself: the SDK error `isMissing` recognises becomes `missing` (IMPORT_REFUSED). */
async function mustExist<T>(
  what: string,
  call: (o: CallOptions) => Promise<T>,
  isMissing: (cause: unknown) => boolean,
  missing: () => MfinfraError,
  options: PollOptions,
): Promise<T> {
  try {
    return await callAws(what, call, options);
  } catch (e) {
    if (isMissing(sdkCause(e))) throw missing();
    throw e;
  }
}

/** An SDK error by one of these names. */
const named =
  (...names: string[]) =>
  (cause: unknown): boolean =>
    names.includes(awsErrorName(cause) ?? '');

function lifecycleRule(r: LifecycleRule): Record<string, unknown> {
  const prefix = r.Filter?.Prefix ?? r.Prefix;
  return clean({
    Id: r.ID,
    Status: r.Status,
    Prefix: prefix === '' ? undefined : prefix,
    ExpirationInDays: r.Expiration?.Days,
    AbortIncompleteMultipartUpload: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation
      ? { DaysAfterInitiation: r.AbortIncompleteMultipartUpload.DaysAfterInitiation }
      : undefined,
    NoncurrentVersionExpiration: r.NoncurrentVersionExpiration?.NoncurrentDays
      ? { NoncurrentDays: r.NoncurrentVersionExpiration.NoncurrentDays }
      : undefined,
  });
}

/** A live resource identified by `key` = `physicalId`, its undefined properties dropped (absent reads as absent). */
function liveResource(resourceType: string, physicalId: string, key: string, properties: Record<string, unknown>): LiveResource {
  return { resourceType, physicalId, identifier: { [key]: physicalId }, properties: clean(properties) };
}

/** Drop undefined members (so "absent" reads as absent). */
function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export async function readBucket(s3: S3Client, name: string, options: PollOptions = {}): Promise<LiveResource> {
  const unlessAbsent = <T>(absent: string, what: string, call: () => Promise<T>) => optional(what, absent, call, options);
  await mustExist(
    'read the bucket',
    (o) => s3.send(new HeadBucketCommand({ Bucket: name }), o),
    (cause) =>
      (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 || named('NotFound', 'NoSuchBucket')(cause),
    () => notFound('AWS::S3::Bucket', name, 'S3 HeadBucket answered 404'),
    options,
  );
  const encryption = await unlessAbsent('ServerSideEncryptionConfigurationNotFoundError', 'read the bucket encryption', () =>
    s3.send(new GetBucketEncryptionCommand({ Bucket: name })),
  );
  const versioning = await callAws('read the bucket versioning', () => s3.send(new GetBucketVersioningCommand({ Bucket: name })), options);
  const block = await unlessAbsent('NoSuchPublicAccessBlockConfiguration', 'read the public access block', () =>
    s3.send(new GetPublicAccessBlockCommand({ Bucket: name })),
  );
  const ownership = await unlessAbsent('OwnershipControlsNotFoundError', 'read the object ownership', () =>
    s3.send(new GetBucketOwnershipControlsCommand({ Bucket: name })),
  );
  const lifecycle = await unlessAbsent('NoSuchLifecycleConfiguration', 'read the lifecycle rules', () =>
    s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: name })),
  );
  const logging = await callAws('read the bucket logging', () => s3.send(new GetBucketLoggingCommand({ Bucket: name })), options);
  const rules = encryption?.ServerSideEncryptionConfiguration?.Rules ?? [];
  const pab = block?.PublicAccessBlockConfiguration;
  return liveResource('AWS::S3::Bucket', name, 'BucketName', {
    BucketName: name,
    BucketEncryption: rules.length
      ? {
          ServerSideEncryptionConfiguration: rules.map((r) =>
            clean({
              ServerSideEncryptionByDefault: r.ApplyServerSideEncryptionByDefault
                ? clean({
                    SSEAlgorithm: r.ApplyServerSideEncryptionByDefault.SSEAlgorithm,
                    KMSMasterKeyID: r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID,
                  })
                : undefined,
              BucketKeyEnabled: r.BucketKeyEnabled ?? false,
            }),
          ),
        }
      : undefined,
    VersioningConfiguration: versioning.Status ? { Status: versioning.Status } : undefined,
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: pab?.BlockPublicAcls ?? false,
      BlockPublicPolicy: pab?.BlockPublicPolicy ?? false,
      IgnorePublicAcls: pab?.IgnorePublicAcls ?? false,
      RestrictPublicBuckets: pab?.RestrictPublicBuckets ?? false,
    },
    OwnershipControls: ownership?.OwnershipControls?.Rules?.length
      ? { Rules: ownership.OwnershipControls.Rules.map((r) => ({ ObjectOwnership: r.ObjectOwnership })) }
      : undefined,
    LifecycleConfiguration: lifecycle?.Rules?.length ? { Rules: lifecycle.Rules.map(lifecycleRule) } : undefined,
    LoggingConfiguration: logging.LoggingEnabled
      ? clean({ DestinationBucketName: logging.LoggingEnabled.TargetBucket, LogFilePrefix: logging.LoggingEnabled.TargetPrefix })
      : undefined,
  });
}

export async function readTable(dynamoDb: DynamoDBClient, name: string, options: PollOptions = {}): Promise<LiveResource> {
  const { Table: table } = await mustExist(
    'read the table',
    (o) => dynamoDb.send(new DescribeTableCommand({ TableName: name }), o),
    named('ResourceNotFoundException'),
    () => notFound('AWS::DynamoDB::Table', name, 'DynamoDB DescribeTable found no such table'),
    options,
  );
  if (!table) throw notFound('AWS::DynamoDB::Table', name, 'DynamoDB DescribeTable returned nothing');
  const ttl = await callAws('read the table TTL', () => dynamoDb.send(new DescribeTimeToLiveCommand({ TableName: name })), options);
  const backups = await callAws(
    'read the table backups',
    () => dynamoDb.send(new DescribeContinuousBackupsCommand({ TableName: name })),
    options,
  );
  const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  const sse = table.SSEDescription;
  const sseOn = sse?.Status === 'ENABLED' || sse?.Status === 'ENABLING';
  return liveResource('AWS::DynamoDB::Table', name, 'TableName', {
    TableName: table.TableName,
    KeySchema: table.KeySchema?.map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
    AttributeDefinitions: table.AttributeDefinitions?.map((a) => ({ AttributeName: a.AttributeName, AttributeType: a.AttributeType })),
    BillingMode: table.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
    TimeToLiveSpecification:
      ttlStatus === 'ENABLED' || ttlStatus === 'ENABLING'
        ? { AttributeName: ttl.TimeToLiveDescription?.AttributeName, Enabled: true }
        : { Enabled: false },
    PointInTimeRecoverySpecification: {
      PointInTimeRecoveryEnabled:
        backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED',
    },
    SSESpecification: sseOn
      ? clean({ SSEEnabled: true, SSEType: sse?.SSEType, KMSMasterKeyId: sse?.KMSMasterKeyArn })
      : { SSEEnabled: false },
  });
}

export async function readDbInstance(rds: RDSClient, id: string, options: PollOptions = {}): Promise<LiveResource> {
  const { DBInstances } = await mustExist(
    'read the DB instance',
    (o) => rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), o),
    named('DBInstanceNotFoundFault', 'DBInstanceNotFound'),
    () => notFound('AWS::RDS::DBInstance', id, 'RDS DescribeDBInstances found no such instance'),
    options,
  );
  const db = DBInstances?.[0];
  if (!db) throw notFound('AWS::RDS::DBInstance', id, 'RDS DescribeDBInstances returned nothing');
  return liveResource('AWS::RDS::DBInstance', id, 'DBInstanceIdentifier', {
    DBInstanceIdentifier: db.DBInstanceIdentifier,
    Engine: db.Engine,
    EngineVersion: db.EngineVersion,
    DBInstanceClass: db.DBInstanceClass,
    DBName: db.DBName,
    MasterUsername: db.MasterUsername,
    Port: db.Endpoint?.Port !== undefined ? String(db.Endpoint.Port) : undefined,
    StorageType: db.StorageType,
    AllocatedStorage: db.AllocatedStorage !== undefined ? String(db.AllocatedStorage) : undefined,
    MaxAllocatedStorage: db.MaxAllocatedStorage,
    StorageEncrypted: db.StorageEncrypted ?? false,
    KmsKeyId: db.KmsKeyId,
    MultiAZ: db.MultiAZ ?? false,
    PubliclyAccessible: db.PubliclyAccessible ?? false,
    BackupRetentionPeriod: db.BackupRetentionPeriod,
    DeletionProtection: db.DeletionProtection ?? false,
    CopyTagsToSnapshot: db.CopyTagsToSnapshot ?? false,
    AutoMinorVersionUpgrade: db.AutoMinorVersionUpgrade,
    EnableCloudwatchLogsExports: db.EnabledCloudwatchLogsExports ?? [],
    DBSubnetGroupName: db.DBSubnetGroup?.DBSubnetGroupName,
    VPCSecurityGroups: db.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId),
  });
}

export async function readSecret(sm: SecretsManagerClient, id: string, options: PollOptions = {}): Promise<LiveResource> {
  const secret = await mustExist(
    'read the secret',
    (o) => sm.send(new DescribeSecretCommand({ SecretId: id }), o),
    named('ResourceNotFoundException'),
    () => notFound('AWS::SecretsManager::Secret', id, 'Secrets Manager DescribeSecret found no such secret'),
    options,
  );
  if (secret.DeletedDate) {
    throw fail.IMPORT_REFUSED(`secret ${id} is scheduled for deletion (since ${secret.DeletedDate.toISOString()})`, {
      hint: `restore it first: aws secretsmanager restore-secret --secret-id ${id}`,
    });
  }
  // CloudFormation identifies a secret by its ARN.
  const arn = secret.ARN ?? id;
  return liveResource('AWS::SecretsManager::Secret', arn, 'Id', {
    Name: secret.Name,
    Description: secret.Description,
    KmsKeyId: secret.KmsKeyId,
  });
}

export async function readLogGroup(logs: CloudWatchLogsClient, name: string, options: PollOptions = {}): Promise<LiveResource> {
  const out = await callAws(
    'read the log group',
    (o) => logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50 }), o),
    options,
  );
  const group = out.logGroups?.find((g) => g.logGroupName === name);
  if (!group) throw notFound('AWS::Logs::LogGroup', name, 'CloudWatch Logs DescribeLogGroups found no group of that exact name');
  return liveResource('AWS::Logs::LogGroup', name, 'LogGroupName', {
    LogGroupName: name,
    RetentionInDays: group.retentionInDays,
    KmsKeyId: group.kmsKeyId,
  });
}

/** Read one resource of a type `adopt` supports. */
export async function readLive(clients: ImportClients, type: string, id: string, options: PollOptions = {}): Promise<LiveResource> {
  switch (type) {
    case 'AWS::S3::Bucket':
      return readBucket(clients.s3, id.replace(/^arn:aws[a-z-]*:s3:::/, ''), options);
    case 'AWS::DynamoDB::Table':
      return readTable(clients.dynamoDb, id.replace(/^arn:.*:table\//, ''), options);
    case 'AWS::RDS::DBInstance':
      return readDbInstance(clients.rds, id.replace(/^arn:.*:db:/, ''), options);
    case 'AWS::SecretsManager::Secret':
      return readSecret(clients.secretsManager, id, options);
    case 'AWS::Logs::LogGroup':
      return readLogGroup(clients.logs, id, options);
    default:
      throw fail.IMPORT_REFUSED(`mfinfra cannot import resources of type ${type}`, {
        hint: `mfinfra adopt imports ${IMPORTABLE_TYPES.join(', ')}`,
        kind: 'usage',
      });
  }
}
