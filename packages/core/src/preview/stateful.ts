/**
 * Resources that hold data, what replacing or removing them loses, and what their DeletionPolicy /
 * UpdateReplacePolicy keep. Policies are read from the template; CloudFormation's defaults apply
 * when absent (Delete, except DeletionPolicy Snapshot for RDS clusters and stand-alone instances).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 */
import type { Retention } from './model.js';

/** Resource type → what is lost when the resource is deleted. */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'every object in the bucket (Metaflow artifacts, code packages, data)',
  'AWS::RDS::DBInstance': 'the database and its automated backups (the Metaflow metadata: runs, steps, tasks, artifacts index)',
  'AWS::RDS::DBCluster': 'the database cluster and its automated backups (the Metaflow metadata)',
  'AWS::DynamoDB::Table': 'every item in the table',
  'AWS::DynamoDB::GlobalTable': 'every item in the table, in every replica region',
  'AWS::SecretsManager::Secret': 'the secret value (e.g. the database password); anything that reads it breaks',
  'AWS::Logs::LogGroup': 'all log events in the group (task logs)',
  'AWS::KMS::Key': 'the key (scheduled for deletion): data encrypted with it becomes unreadable',
  'AWS::EFS::FileSystem': 'every file on the file system',
  'AWS::ECR::Repository': 'every image in the repository',
  'AWS::ElastiCache::ReplicationGroup': 'the cached data',
  'AWS::OpenSearchService::Domain': 'every index in the domain',
  'AWS::Kinesis::Stream': 'the records in the stream',
  'AWS::SQS::Queue': 'the messages in the queue',
  'AWS::Backup::BackupVault': 'the recovery points in the vault',
};

export function isStateful(resourceType: string): boolean {
  return Object.hasOwn(STATEFUL_TYPES, resourceType);
}

export function whatIsLost(resourceType: string): string {
  return STATEFUL_TYPES[resourceType] ?? 'the resource and its data';
}

interface ResourceDef {
  Type?: string;
  DeletionPolicy?: unknown;
  UpdateReplacePolicy?: unknown;
  Properties?: Record<string, unknown>;
}

function snapshotByDefault(type: string, def: ResourceDef | undefined): boolean {
  if (type === 'AWS::RDS::DBCluster') return true;
  return type === 'AWS::RDS::DBInstance' && def?.Properties?.DBClusterIdentifier === undefined;
}

function policyName(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : value === undefined ? fallback : JSON.stringify(value);
}

/**
 * What the policies keep when the resource is replaced (`def` from the new template) or removed
 * (`def` from the template that is deployed now). `policyAction` is CloudFormation's own answer from
 * a change set (Delete, Retain, Snapshot, ReplaceAndDelete, ReplaceAndRetain, ReplaceAndSnapshot)
 * and wins over the template when given.
 */
export function retentionFor(
  resourceType: string,
  def: ResourceDef | undefined,
  event: 'replace' | 'remove',
  policyAction?: string,
): Retention {
  const deletionPolicy = policyName(def?.DeletionPolicy, snapshotByDefault(resourceType, def) ? 'Snapshot' : 'Delete');
  const updateReplacePolicy = policyName(def?.UpdateReplacePolicy, 'Delete');
  let policy = event === 'replace' ? updateReplacePolicy : deletionPolicy;
  if (policyAction) policy = policyAction.replace(/^Replace(And)?/, '') || policy;
  const attribute = event === 'replace' ? 'UpdateReplacePolicy' : 'DeletionPolicy';
  const old = event === 'replace' ? 'the old resource' : 'the resource';
  let effect: string;
  switch (policy) {
    case 'Retain':
    case 'RetainExceptOnCreate':
      effect =
        `${attribute} ${policy}: ${old} is kept with its data, detached from the stack (delete it yourself when no longer needed)` +
        (event === 'replace' ? '; the replacement starts empty' : '');
      break;
    case 'Snapshot':
      effect =
        `${attribute} Snapshot: CloudFormation takes a final snapshot, then deletes ${old}; restoring means a new resource from the snapshot` +
        (event === 'replace' ? ' (the replacement starts empty)' : '');
      break;
    case 'Delete':
      effect =
        `${attribute} Delete: ${old} is deleted, and with it ${whatIsLost(resourceType)}` +
        (resourceType === 'AWS::S3::Bucket'
          ? ' (CloudFormation cannot delete a bucket that still has objects: the update then fails)'
          : '');
      break;
    default:
      effect = `${attribute} ${policy}`;
  }
  return { deletionPolicy, updateReplacePolicy, effect };
}
