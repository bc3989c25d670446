import type { PluginContext } from '@mfinfra/core/plugin';
import { kmsKeyArnProblem, parseBucketArn } from './arns.js';
import { bucketNameProblem, existingBucketNameProblem } from './bucketName.js';
import { keyPrefixProblem } from './keyPrefix.js';
import { datatoolsPrefix, type DatastoreOptions } from './options.js';

/** Semantic checks of the `datastore:` section; every problem is reported at its position. */
export function checkDatastore(ctx: PluginContext, options: DatastoreOptions): void {
  const { bucket, existing } = options;
  if (bucket !== undefined && existing) {
    ctx.report('datastore has both "bucket" (create one) and "existing" (reuse one)', {
      path: ['existing'],
      code: 'DATASTORE_MODE_CONFLICT',
      hint: 'keep "existing" to reuse a bucket, or "bucket" to create one; not both',
    });
  }

  for (const key of ['sysroot', 'datatools'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    const p = keyPrefixProblem(value);
    if (p) ctx.report(`datastore.${key} "${value}" ${p.problem}`, { path: [key], hint: p.hint, code: 'DATASTORE_BAD_PREFIX' });
  }

  if (bucket?.name !== undefined) {
    const problem = bucketNameProblem(bucket.name);
    if (problem) {
      ctx.report(`bucket name "${bucket.name}" ${problem}`, {
        path: ['bucket', 'name'],
        code: 'DATASTORE_BAD_BUCKET_NAME',
        hint: 'see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one',
      });
    } else if (bucket.name.includes('.')) {
      ctx.warn(`bucket name "${bucket.name}" contains dots, which breaks TLS for virtual-hosted-style S3 URLs`, {
        path: ['bucket', 'name'],
        hint: 'prefer hyphens over dots',
      });
    }
  }

  const enc = bucket?.encryption;
  if (enc) {
    const type = enc.type ?? (enc.kmsKeyArn !== undefined || enc.createKey ? 'sse-kms' : 'sse-s3');
    if (type === 'sse-s3' && enc.kmsKeyArn !== undefined) {
      ctx.report('encryption type sse-s3 does not use a KMS key, but kmsKeyArn is set', {
        path: ['bucket', 'encryption', 'kmsKeyArn'],
        code: 'DATASTORE_KMS_CONFLICT',
        hint: 'set type: sse-kms to encrypt with this key, or remove kmsKeyArn',
      });
    }
    if (type === 'sse-s3' && enc.createKey === true) {
      ctx.report('encryption type sse-s3 does not use a KMS key, but createKey is true', {
        path: ['bucket', 'encryption', 'createKey'],
        code: 'DATASTORE_KMS_CONFLICT',
        hint: 'set type: sse-kms to encrypt with a created key, or remove createKey',
      });
    }
    if (enc.kmsKeyArn !== undefined && enc.createKey === true) {
      ctx.report('encryption sets both kmsKeyArn (use this key) and createKey: true (create a key)', {
        path: ['bucket', 'encryption', 'createKey'],
        code: 'DATASTORE_KMS_CONFLICT',
        hint: 'remove createKey to use the given key, or remove kmsKeyArn to create one',
      });
    }
    if (type === 'sse-kms' && enc.kmsKeyArn === undefined && enc.createKey === false) {
      ctx.report('encryption type sse-kms needs a key, but kmsKeyArn is absent and createKey is false', {
        path: ['bucket', 'encryption', 'createKey'],
        code: 'DATASTORE_KMS_CONFLICT',
        hint: 'give kmsKeyArn, or drop createKey: false to create a key',
      });
    }
    if (enc.kmsKeyArn !== undefined) reportKmsArn(ctx, enc.kmsKeyArn, ['bucket', 'encryption', 'kmsKeyArn']);
  }

  const logs = bucket?.accessLogs;
  if (logs && logs.bucket !== undefined) {
    const problem = existingBucketNameProblem(logs.bucket);
    if (problem) {
      ctx.report(`access log bucket name "${logs.bucket}" ${problem}`, {
        path: ['bucket', 'accessLogs', 'bucket'],
        code: 'DATASTORE_BAD_BUCKET_NAME',
        hint: 'give the name of an existing bucket, or leave bucket out to let the stack create a log bucket',
      });
    } else if (logs.bucket === bucket?.name) {
      ctx.report('the datastore bucket cannot deliver its access logs to itself', {
        path: ['bucket', 'accessLogs', 'bucket'],
        code: 'DATASTORE_ACCESS_LOG_LOOP',
        hint: 'name another bucket, or leave bucket out to let the stack create a log bucket',
      });
    }
    if (logs.expireAfterDays !== undefined) {
      ctx.report('accessLogs.expireAfterDays applies only to the log bucket this stack creates, but accessLogs.bucket names another', {
        path: ['bucket', 'accessLogs', 'expireAfterDays'],
        code: 'DATASTORE_ACCESS_LOG_CONFLICT',
        hint: "remove expireAfterDays and set the expiry on that bucket's own lifecycle rules, or remove bucket",
      });
    }
  }

  const lifecycle = bucket?.lifecycle;
  if (lifecycle?.noncurrentVersionsExpireAfterDays !== undefined && bucket?.versioning !== true) {
    ctx.report('lifecycle.noncurrentVersionsExpireAfterDays only applies to a versioned bucket, but versioning is not on', {
      path: ['bucket', 'lifecycle', 'noncurrentVersionsExpireAfterDays'],
      code: 'DATASTORE_LIFECYCLE_CONFLICT',
      hint: 'set bucket.versioning: true, or remove noncurrentVersionsExpireAfterDays',
    });
  }
  const seen = new Map<string, number>();
  lifecycle?.expire?.forEach((rule, i) => {
    const p = keyPrefixProblem(rule.prefix);
    if (p) {
      ctx.report(`lifecycle prefix "${rule.prefix}" ${p.problem}`, {
        path: ['bucket', 'lifecycle', 'expire', i, 'prefix'],
        hint: p.hint,
        code: 'DATASTORE_BAD_PREFIX',
      });
      return;
    }
    const first = seen.get(rule.prefix);
    if (first !== undefined) {
      ctx.report(`lifecycle prefix "${rule.prefix}" is listed twice (expire[${first}] and expire[${i}])`, {
        path: ['bucket', 'lifecycle', 'expire', i, 'prefix'],
        code: 'DATASTORE_LIFECYCLE_CONFLICT',
        hint: 'keep one rule per prefix',
      });
    }
    seen.set(rule.prefix, i);
    if (isUnder(options.sysroot, rule.prefix)) {
      ctx.warn(`lifecycle rule expire[${i}] deletes Metaflow's datastore (sysroot "${options.sysroot}") after ${rule.days} days`, {
        path: ['bucket', 'lifecycle', 'expire', i, 'prefix'],
        hint: 'runs older than that can no longer be resumed or inspected; expire a narrower prefix if that is not intended',
      });
    }
  });

  if (existing) {
    reportExistingBucket(ctx, existing.bucket);
    if (existing.kmsKeyArn !== undefined) reportKmsArn(ctx, existing.kmsKeyArn, ['existing', 'kmsKeyArn']);
  }

  const datatools = datatoolsPrefix(options);
  if (options.datatools !== undefined && datatools === options.sysroot) {
    ctx.warn(`datastore.datatools equals sysroot ("${datatools}"): metaflow.S3 data will mix with run artifacts`, {
      path: ['datatools'],
      hint: `use "${options.sysroot}/data" (Metaflow's own default) or a separate prefix such as "data"`,
    });
  }
}

/** Whether `key` (a prefix) lies under `prefix` (or equals it), in path segments. */
function isUnder(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(prefix + '/');
}

function reportKmsArn(ctx: PluginContext, arn: string, path: (string | number)[]): void {
  const p = kmsKeyArnProblem(arn);
  if (p) ctx.report(`kmsKeyArn "${arn}" ${p.problem}`, { path, hint: p.hint, code: 'DATASTORE_BAD_KMS_KEY_ARN' });
}

function reportExistingBucket(ctx: PluginContext, value: string): void {
  const path = ['existing', 'bucket'];
  if (value.startsWith('arn:')) {
    const parsed = parseBucketArn(value);
    if (!parsed.ok) {
      ctx.report(`existing bucket "${value}" ${parsed.problem}`, {
        path,
        code: 'DATASTORE_BAD_BUCKET_ARN',
        hint: parsed.hint ?? 'give the bucket name, or its ARN arn:aws:s3:::<name>',
      });
      return;
    }
    value = parsed.value.bucket;
  } else if (value.startsWith('s3://')) {
    ctx.report(`existing bucket "${value}" is an S3 URL, not a bucket name`, {
      path,
      code: 'DATASTORE_BAD_BUCKET_NAME',
      hint: `give the name only ("${value.slice(5).split('/')[0]}") and set sysroot for the prefix`,
    });
    return;
  }
  const problem = existingBucketNameProblem(value);
  if (problem)
    ctx.report(`existing bucket name "${value}" ${problem}`, {
      path,
      code: 'DATASTORE_BAD_BUCKET_NAME',
      hint: 'give the bucket name, or its ARN arn:aws:s3:::<name>',
    });
}
