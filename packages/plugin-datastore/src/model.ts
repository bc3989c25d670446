import { getAtt, ref, sub, type CfnValue, type Naming } from '@mfinfra/core/plugin';
import { parseBucketArn } from './arns.js';
import { datatoolsPrefix, type DatastoreOptions } from './options.js';

/** Logical ids of what the plugin creates; stable, so redeploys update rather than replace. */
export function datastoreIds(naming: Naming) {
  return {
    bucket: naming.logicalId('Datastore', 'Bucket'),
    bucketPolicy: naming.logicalId('Datastore', 'Bucket', 'Policy'),
    key: naming.logicalId('Datastore', 'Key'),
    keyAlias: naming.logicalId('Datastore', 'Key', 'Alias'),
    logBucket: naming.logicalId('Datastore', 'Access', 'Logs', 'Bucket'),
    logBucketPolicy: naming.logicalId('Datastore', 'Access', 'Logs', 'Bucket', 'Policy'),
  };
}

export type KmsChoice = { kind: 'none' } | { kind: 'created' } | { kind: 'given'; arn: string };

/** Everything the hooks need, derived once from checked options. */
export interface DatastoreModel {
  mode: 'create' | 'existing';
  kms: KmsChoice;
  bucketName: CfnValue;
  bucketArn: CfnValue;
  /** `<bucket ARN>/*` */
  objectsArn: CfnValue;
  kmsKeyArn?: CfnValue;
  sysroot: CfnValue;
  datatoolsRoot: CfnValue;
}

/** Which key encrypts a created bucket. */
export function kmsChoice(options: DatastoreOptions): KmsChoice {
  if (options.existing) return options.existing.kmsKeyArn ? { kind: 'given', arn: options.existing.kmsKeyArn } : { kind: 'none' };
  const enc = options.bucket?.encryption;
  if (!enc) return { kind: 'none' };
  if (enc.kmsKeyArn !== undefined) return { kind: 'given', arn: enc.kmsKeyArn };
  const type = enc.type ?? (enc.createKey ? 'sse-kms' : 'sse-s3');
  return type === 'sse-kms' ? { kind: 'created' } : { kind: 'none' };
}

export function datastoreModel(naming: Naming, options: DatastoreOptions): DatastoreModel {
  const ids = datastoreIds(naming);
  const kms = kmsChoice(options);
  const kmsKeyArn = kms.kind === 'created' ? getAtt(ids.key, 'Arn') : kms.kind === 'given' ? kms.arn : undefined;
  const sysroot = options.sysroot;
  const datatools = datatoolsPrefix(options);
  if (options.existing) {
    const given = options.existing.bucket;
    const parsed = given.startsWith('arn:') ? parseBucketArn(given) : undefined;
    const name = parsed?.ok ? parsed.value.bucket : given;
    return {
      mode: 'existing',
      kms,
      bucketName: name,
      bucketArn: parsed?.ok ? given : sub(`arn:\${AWS::Partition}:s3:::${name}`),
      objectsArn: parsed?.ok ? `${given}/*` : sub(`arn:\${AWS::Partition}:s3:::${name}/*`),
      kmsKeyArn,
      sysroot: `s3://${name}/${sysroot}`,
      datatoolsRoot: `s3://${name}/${datatools}`,
    };
  }
  return {
    mode: 'create',
    kms,
    bucketName: ref(ids.bucket),
    bucketArn: getAtt(ids.bucket, 'Arn'),
    objectsArn: sub(`\${${ids.bucket}.Arn}/*`),
    kmsKeyArn,
    sysroot: sub(`s3://\${${ids.bucket}}/${sysroot}`),
    datatoolsRoot: sub(`s3://\${${ids.bucket}}/${datatools}`),
  };
}
