import { describe, expect, it } from 'vitest';
import { denyInsecureTransport, denyInsecureTransportTo, logBucketProperties, privateBucketProperties } from './privateBucket.js';

describe('private buckets', () => {
  it('blocks every kind of public access and disables ACLs', () => {
    const { PublicAccessBlockConfiguration: block, OwnershipControls: ownership } = privateBucketProperties();
    expect(Object.entries(block as object)).toEqual(
      ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].map((setting) => [setting, true]),
    );
    expect(ownership).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('makes a log bucket SSE-S3 and private, with the lifecycle rules and sorted tags only when there are any', () => {
    const rules = [{ Id: 'expire', Status: 'Enabled', ExpirationInDays: 90 }];
    expect(logBucketProperties(rules)).toEqual({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      ...privateBucketProperties(),
      LifecycleConfiguration: { Rules: rules },
    });
    expect(logBucketProperties(rules, {}).Tags).toBeUndefined();
    expect(logBucketProperties(rules, { team: 'ml', cost: 'x' }).Tags).toEqual([
      { Key: 'cost', Value: 'x' },
      { Key: 'team', Value: 'ml' },
    ]);
  });

  it('refuses requests without TLS to the bucket and its objects, by template value or by plain ARN', () => {
    expect(denyInsecureTransport('LogBucket')).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [{ 'Fn::GetAtt': ['LogBucket', 'Arn'] }, { 'Fn::Sub': '${LogBucket.Arn}/*' }],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(denyInsecureTransportTo(['arn:aws:s3:::b', 'arn:aws:s3:::b/*'])).toMatchObject({
      Effect: 'Deny',
      Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });
});
