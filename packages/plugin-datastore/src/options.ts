/** The `datastore:` section of the manifest, after defaults. */
export interface DatastoreOptions {
  /** Create a bucket (the default when `existing` is absent). */
  /** `bucket:` with no value (null) means create with every default. */
  bucket?: BucketOptions | null;
  /** Reuse a bucket that already exists; nothing is created. */
  existing?: ExistingBucketOptions;
  /** Key prefix of Metaflow's datastore inside the bucket (METAFLOW_DATASTORE_SYSROOT_S3). */
  sysroot: string;
  /** Key prefix for `metaflow.S3` / IncludeFile data (METAFLOW_DATATOOLS_S3ROOT); default `<sysroot>/data`. */
  datatools?: string;
}

export interface BucketOptions {
  /** Explicit bucket name; when absent CloudFormation generates one. */
  name?: string;
  versioning?: boolean;
  encryption?: EncryptionOptions;
  lifecycle?: LifecycleOptions;
  /**
   * S3 server access logs: absent → to a log bucket this stack creates; `{ bucket }` → to a bucket you
   * give (it must allow logging.s3.amazonaws.com to write); `false` → off.
   */
  accessLogs?: AccessLogOptions | false;
  tags?: Record<string, string>;
}

export interface AccessLogOptions {
  /** Deliver to this existing bucket (name) instead of creating a log bucket. */
  bucket?: string;
  /** Key prefix of the log objects (default `datastore/`). */
  prefix?: string;
  /** With a created log bucket: delete log objects after this many days (default 90). */
  expireAfterDays?: number;
}

export interface EncryptionOptions {
  type?: 'sse-s3' | 'sse-kms';
  /** SSE-KMS with this customer managed key. */
  kmsKeyArn?: string;
  /** SSE-KMS with a key this stack creates (rotation on). Default when `type: sse-kms` and no `kmsKeyArn`. */
  createKey?: boolean;
}

export interface LifecycleOptions {
  /** Abort multipart uploads left incomplete after this many days; `false` turns the rule off. */
  abortIncompleteUploadsAfterDays?: number | false;
  /** Delete noncurrent object versions after this many days (needs `versioning: true`). */
  noncurrentVersionsExpireAfterDays?: number;
  /** Expire objects under a prefix after a number of days. */
  expire?: { prefix: string; days: number }[];
}

export interface ExistingBucketOptions {
  /** Bucket name or bucket ARN (`arn:aws:s3:::name`). */
  bucket: string;
  /** The key the bucket encrypts with, when SSE-KMS: roles get kms:Decrypt/GenerateDataKey on it. */
  kmsKeyArn?: string;
}

export const DEFAULT_SYSROOT = 'metaflow';
export const DEFAULT_ABORT_INCOMPLETE_UPLOADS_DAYS = 7;
export const DEFAULT_ACCESS_LOG_PREFIX = 'datastore/';
export const DEFAULT_ACCESS_LOG_EXPIRE_DAYS = 90;

/** The datatools prefix in effect: the one given, or `<sysroot>/data` (Metaflow's own default). */
export function datatoolsPrefix(options: DatastoreOptions): string {
  return options.datatools ?? `${options.sysroot}/data`;
}
