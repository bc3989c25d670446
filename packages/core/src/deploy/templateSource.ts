/**
 * How the template reaches CloudFormation: minified and inline (TemplateBody, up to 51,200 bytes)
 * whenever it fits; else staged in S3 and passed as TemplateURL (up to 1 MB). The bucket is the one
 * the user named (stack.templateBucket / --template-bucket), else mfinfra's managed staging bucket for
 * the account and region (`mfinfra-templates-<account>-<region>`, as SAM's managed bucket): created
 * once — private, encrypted, TLS-only, staged templates expired by a lifecycle rule — and reused.
 * Over 1 MB is refused before any AWS call.
 */
import assert from 'node:assert';
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CFN_LIMITS } from '../compile/template.js';
import { denyInsecureTransportTo } from '../compile/privateBucket.js';
import { fail } from '../errors.js';
import { awsErrorName } from './awsErrors.js';
import { callAws, type PollOptions } from './poll.js';

export type TemplateSource = { TemplateBody: string } | { TemplateURL: string };

export interface StagedTemplate {
  source: TemplateSource;
  /** Where the template was uploaded (s3://bucket/key), when it was. */
  uploadedTo?: string;
  /** The bucket was created in this run. */
  createdBucket?: string;
  /** The bucket is mfinfra's managed staging bucket (no bucket was named). */
  managedBucket?: boolean;
}

/** Days after which the managed bucket's lifecycle rule deletes a staged template. */
export const MANAGED_BUCKET_EXPIRY_DAYS = 30;

/**
 * The managed staging bucket of an account and region. The name is predictable, so every call on it
 * passes ExpectedBucketOwner: a bucket of that name owned by another account is refused, never used.
 */
export function managedBucketName(accountId: string, region: string): string {
  return `mfinfra-templates-${accountId}-${region}`;
}

/** The JSON CloudFormation is sent: minified (the preview, local state and `compile --out` keep the readable form). */
export function minifyTemplate(template: object): string {
  return JSON.stringify(template);
}

/** Refuse templates CloudFormation cannot take at all. Call before any AWS request. */
export function assertTemplateSize(body: string, stackName: string): void {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > CFN_LIMITS.s3BodyBytes) {
    throw fail.TEMPLATE_TOO_LARGE(
      `the template for stack ${stackName} is ${bytes.toLocaleString('en-US')} bytes; CloudFormation accepts at most ${CFN_LIMITS.s3BodyBytes.toLocaleString('en-US')} bytes (1 MB) even from S3`,
      {
        hint: 'split the deployment into two manifests (two stacks), or disable plugins / features you do not need',
      },
    );
  }
}

export interface StageInput {
  /** The template as sent (minified). */
  body: string;
  stackName: string;
  region: string;
  /** The bucket the user named; without one, the managed bucket is used. */
  bucket?: string;
  endpoint?: string;
  /** The account id (STS GetCallerIdentity), asked only when the managed bucket is needed. */
  accountId?: () => Promise<string>;
}

/**
 * Inline when it fits; else upload to the named bucket, or the managed one (created private,
 * encrypted and TLS-only when missing), under `mfinfra/<stack>/<sha256>.json` and return its URL.
 */
export async function stageTemplate(s3: S3Client, input: StageInput, options: PollOptions = {}): Promise<StagedTemplate> {
  assertTemplateSize(input.body, input.stackName);
  if (Buffer.byteLength(input.body, 'utf8') <= CFN_LIMITS.inlineBodyBytes) return { source: { TemplateBody: input.body } };
  const managed = !input.bucket;
  let expectedOwner: string | undefined;
  if (managed) {
    assert.ok(input.accountId, 'stageTemplate: the managed bucket needs the account id');
    expectedOwner = await input.accountId();
  }
  const bucket = input.bucket ?? managedBucketName(expectedOwner!, input.region);
  // A TLS-only bucket policy would lock out a plain-http emulator endpoint (moto enforces it).
  const tlsOnly = !input.endpoint?.startsWith('http://');
  const createdBucket = (await ensureStagingBucket(s3, bucket, input.region, {
    ...options,
    tlsOnly,
    ...(managed ? { expireAfterDays: MANAGED_BUCKET_EXPIRY_DAYS, expectedOwner } : {}),
  }))
    ? bucket
    : undefined;
  const hash = createHash('sha256').update(input.body).digest('hex').slice(0, 32);
  const key = `mfinfra/${input.stackName}/${hash}.json`;
  await callAws(
    `upload the template to s3://${bucket}/${key}`,
    () =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: input.body,
          ContentType: 'application/json',
          ServerSideEncryption: 'AES256',
          ...(expectedOwner ? { ExpectedBucketOwner: expectedOwner } : {}),
        }),
      ),
    options,
  );
  return {
    source: { TemplateURL: objectUrl(bucket, key, input.region) },
    uploadedTo: `s3://${bucket}/${key}`,
    createdBucket,
    ...(managed ? { managedBucket: true } : {}),
  };
}

/**
 * The path-style S3 URL CloudFormation reads the template from. Always AWS's own form: emulators
 * (moto, LocalStack) resolve it to their S3 too, and do not parse loopback URLs.
 */
export function objectUrl(bucket: string, key: string, region: string): string {
  const suffix = partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  const host = region === 'us-east-1' ? `s3.${suffix}` : `s3.${region}.${suffix}`;
  return `https://${host}/${bucket}/${key}`;
}

export interface StagingBucketOptions extends PollOptions {
  /** Deny non-TLS requests in the bucket policy (default true; false for a plain-http emulator). */
  tlsOnly?: boolean;
  /** Add a lifecycle rule deleting staged templates after this many days (the managed bucket). */
  expireAfterDays?: number;
  /** Refuse the bucket unless this account owns it (S3 ExpectedBucketOwner). */
  expectedOwner?: string;
}

/**
 * Make sure the bucket exists; create it private (Block Public Access), encrypted (SSE-S3),
 * TLS-only (unless `tlsOnly: false`) and, for the managed bucket, with a lifecycle rule when it does
 * not. An existing bucket is used as it is. Returns whether it was created.
 */
export async function ensureStagingBucket(
  s3: S3Client,
  bucket: string,
  region: string,
  options: StagingBucketOptions = {},
): Promise<boolean> {
  const owner = options.expectedOwner ? { ExpectedBucketOwner: options.expectedOwner } : {};
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ...owner }));
    return false;
  } catch (e) {
    const name = awsErrorName(e);
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'Forbidden' || status === 403) {
      throw fail.AWS_ACCESS_DENIED(
        options.expectedOwner
          ? `the managed template bucket ${bucket} exists but is not owned by account ${options.expectedOwner} (or these credentials cannot use it)`
          : `the template bucket ${bucket} exists but these credentials cannot use it`,
        {
          hint: options.expectedOwner
            ? 'name a bucket of your own: stack.templateBucket in the manifest or --template-bucket NAME (or grant s3:ListBucket and s3:PutObject on it)'
            : 'S3 bucket names are global: pick another stack.templateBucket / --template-bucket, or grant s3:PutObject on it',
          cause: e,
        },
      );
    }
    if (!(name === 'NotFound' || name === 'NoSuchBucket' || status === 404)) {
      return callAws(`check the template bucket ${bucket}`, () => Promise.reject(e), options);
    }
  }
  // Another run may create it at the same moment: a bucket that is already ours is simply used.
  const created = await callAws(
    `create the template bucket ${bucket}`,
    () =>
      s3
        .send(
          new CreateBucketCommand({
            Bucket: bucket,
            ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
          }),
        )
        .then(
          () => true,
          (e: unknown) => (awsErrorName(e) === 'BucketAlreadyOwnedByYou' ? false : Promise.reject(e)),
        ),
    { ...options, idempotent: false },
  );
  if (!created) return false;
  const target = { Bucket: bucket, ...owner };
  const days = options.expireAfterDays;
  // What a bucket mfinfra created gets, in this order: private, encrypted, staged templates expired, TLS only.
  const settings: [what: string, send: () => Promise<unknown>][] = [
    [
      `block public access on ${bucket}`,
      () =>
        s3.send(
          new PutPublicAccessBlockCommand({
            ...target,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          }),
        ),
    ],
    [
      `turn on encryption for ${bucket}`,
      () =>
        s3.send(
          new PutBucketEncryptionCommand({
            ...target,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
            },
          }),
        ),
    ],
  ];
  if (days !== undefined) {
    settings.push([
      `expire staged templates in ${bucket} after ${days} days`,
      () =>
        s3.send(
          new PutBucketLifecycleConfigurationCommand({
            ...target,
            LifecycleConfiguration: {
              Rules: [
                {
                  ID: 'mfinfra-expire-staged-templates',
                  Status: 'Enabled',
                  Filter: { Prefix: 'mfinfra/' },
                  Expiration: { Days: days },
                  AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
                },
              ],
            },
          }),
        ),
    ]);
  }
  if (options.tlsOnly !== false) {
    const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
    settings.push([
      `require TLS on ${bucket}`,
      () =>
        s3.send(
          new PutBucketPolicyCommand({
            ...target,
            Policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [denyInsecureTransportTo([arn, `${arn}/*`])],
            }),
          }),
        ),
    ]);
  }
  for (const [what, send] of settings) await callAws(what, send, options);
  return true;
}

/** The ARN partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
