import { describe, expect, it } from 'vitest';
import { bucketNameProblem, existingBucketNameProblem } from './bucketName.js';

describe('bucket names', () => {
  it('accepts names S3 accepts today', () => {
    for (const name of ['abc', 'metaflow-datastore-123', 'a.b.c', '0ab', 'x'.repeat(63)]) expect(bucketNameProblem(name)).toBeUndefined();
  });

  it('refuses every reserved prefix and suffix', () => {
    for (const name of ['xn--abc', 'sthree-abc', 'amzn-s3-demo-abc']) expect(bucketNameProblem(name)).toMatch(/reserved prefix/);
    for (const name of ['abc-s3alias', 'abc--ol-s3', 'abc.mrap', 'abc--x-s3', 'abc--table-s3'])
      expect(bucketNameProblem(name)).toMatch(/reserved suffix/);
  });

  it('accepts legacy names of existing buckets that new buckets may not use', () => {
    expect(bucketNameProblem('Legacy_Bucket')).toBeDefined();
    expect(existingBucketNameProblem('Legacy_Bucket')).toBeUndefined();
    expect(existingBucketNameProblem('has space')).toBe('must contain only letters, digits, hyphens, underscores and dots (found " ")');
    expect(existingBucketNameProblem('10.0.0.1')).toBe('must not look like an IP address');
  });
});
