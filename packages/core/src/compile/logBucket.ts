/**
 * The private log bucket every plugin that writes access logs needs (exported from
 * `@mfinfra/core/plugin`): SSE-S3 (S3 server access logs and load balancer logs cannot go to an
 * SSE-KMS bucket), every public access blocked, ACLs disabled, the caller's lifecycle rules, and a
 * bucket-policy statement that refuses anything but TLS.
 */
import type { CfnValue } from '../plugin.js';

/** The Properties of a private, SSE-S3, ACL-free log bucket with these lifecycle rules (and tags, when any). */
export function logBucketProperties(lifecycleRules: CfnValue[], tags?: Readonly<Record<string, string>>): { [key: string]: CfnValue } {
  return {
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    LifecycleConfiguration: { Rules: lifecycleRules },
    ...(tags && Object.keys(tags).length
      ? {
          Tags: Object.keys(tags)
            .sort()
            .map((Key) => ({ Key, Value: tags[Key]! })),
        }
      : {}),
  };
}

/**
 * The bucket-policy statement that denies every request to the bucket and its objects not made over
 * TLS. The objects are spelled `${Bucket.Arn}/*` so rule packs (cdk-nag S10, checkov) recognise it.
 */
export function denyInsecureTransport(bucketLogicalId: string): CfnValue {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [{ 'Fn::GetAtt': [bucketLogicalId, 'Arn'] }, { 'Fn::Sub': `\${${bucketLogicalId}.Arn}/*` }],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
