/**
 * S3 general purpose bucket naming rules
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 * Each function returns what is wrong, or undefined when the name is fine.
 */

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Problems with a name for a bucket this stack creates (the current rules). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (it has ${name.length})`;
  if (/[A-Z]/.test(name)) return 'must not contain uppercase letters';
  const bad = name.match(/[^a-z0-9.-]/);
  if (bad) return `must contain only lowercase letters, digits, hyphens and dots (found ${JSON.stringify(bad[0])})`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (name.includes('.-') || name.includes('-.')) return 'must not have a dot next to a hyphen';
  if (IPV4.test(name)) return 'must not look like an IP address';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with the reserved prefix "${prefix}"`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `must not end with the reserved suffix "${suffix}"`;
  return undefined;
}

/**
 * Problems with the name of a bucket that already exists. Buckets created in us-east-1 before
 * March 2018 may use uppercase letters and underscores and be up to 255 characters long.
 */
export function existingBucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 255) return `must be 3 to 255 characters long (it has ${name.length})`;
  const bad = name.match(/[^A-Za-z0-9._-]/);
  if (bad) return `must contain only letters, digits, hyphens, underscores and dots (found ${JSON.stringify(bad[0])})`;
  if (IPV4.test(name)) return 'must not look like an IP address';
  return undefined;
}
