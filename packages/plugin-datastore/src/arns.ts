/** Parsing the ARNs the datastore section accepts. */

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string; hint?: string };

/** `arn:aws:s3:::bucket` → `{ partition: 'aws', bucket: 'bucket' }`. */
export function parseBucketArn(arn: string): Parsed<{ partition: string; bucket: string }> {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return { ok: false, problem: 'is not an ARN' };
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  if (!/^aws(-[a-z]+)*$/.test(partition!)) return { ok: false, problem: `has an unknown partition "${partition}"` };
  if (service !== 's3') return { ok: false, problem: `is an ARN of service "${service}", not of an S3 bucket` };
  if (region || account) {
    return {
      ok: false,
      problem: 'is not an S3 bucket ARN (bucket ARNs have no region or account: arn:aws:s3:::name)',
      hint: resource.startsWith('accesspoint/') ? 'access points are not supported; give the bucket behind it' : undefined,
    };
  }
  if (resource.includes('/')) {
    return {
      ok: false,
      problem: 'is an object ARN, not a bucket ARN',
      hint: `use arn:${partition}:s3:::${resource.split('/')[0]}, and set sysroot for the prefix`,
    };
  }
  return { ok: true, value: { partition: partition!, bucket: resource } };
}

const KMS_KEY_ARN =
  /^arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Whether a string is a KMS key ARN (aliases and bare key ids are refused: IAM needs the key ARN). */
export function kmsKeyArnProblem(arn: string): { problem: string; hint: string } | undefined {
  if (KMS_KEY_ARN.test(arn)) return undefined;
  if (/^arn:aws(-[a-z]+)*:kms:[^:]*:\d{12}:alias\//.test(arn)) {
    return {
      problem: 'is a KMS alias ARN, not a key ARN',
      hint: 'IAM policies grant use of a key by its key ARN; give arn:aws:kms:<region>:<account>:key/<key-id>',
    };
  }
  if (/^(mrk-)?[0-9a-f-]{32,36}$/.test(arn)) {
    return { problem: 'is a bare key id, not a key ARN', hint: 'give the full ARN: arn:aws:kms:<region>:<account>:key/<key-id>' };
  }
  return { problem: 'is not a KMS key ARN', hint: 'give arn:aws:kms:<region>:<account>:key/<key-id>' };
}
