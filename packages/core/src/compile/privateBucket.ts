/**
 * Private S3 buckets (exported from `@mfinfra/core/plugin`): the public-access and ownership
 * settings every bucket mfinfra makes carries, the bucket-policy statement that refuses anything but
 * TLS, and the whole Properties of the log bucket plugins that write access logs need — SSE-S3 (S3
 * server access logs and load balancer logs cannot go to an SSE-KMS bucket), the caller's lifecycle
 * rules.
 */
import type { CfnValue } from './cfnTypes.js';

/** Every kind of public access blocked, and ACLs disabled (the bucket owner owns every object): spread into a bucket's Properties. */
export function privateBucketProperties(): { PublicAccessBlockConfiguration: CfnValue; OwnershipControls: CfnValue } {
  return {
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  };
}

/** The Properties of a private, SSE-S3, ACL-free log bucket with these lifecycle rules (and tags, when any). */
export function logBucketProperties(lifecycleRules: CfnValue[], tags?: Readonly<Record<string, string>>): { [key: string]: CfnValue } {
  return {
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    ...privateBucketProperties(),
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
 * The bucket-policy statement that denies every request not made over TLS to `resources`: the
 * bucket's ARN and its objects' (`<bucket ARN>/*`), as template values or plain ARNs.
 */
export function denyInsecureTransportTo(resources: CfnValue[]): CfnValue {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: resources,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * {@link denyInsecureTransportTo} a bucket of the template and its objects. The objects are spelled
 * `${Bucket.Arn}/*` so rule packs (cdk-nag S10, checkov) recognise it.
 */
export function denyInsecureTransport(bucketLogicalId: string): CfnValue {
  return denyInsecureTransportTo([{ 'Fn::GetAtt': [bucketLogicalId, 'Arn'] }, { 'Fn::Sub': `\${${bucketLogicalId}.Arn}/*` }]);
}
