/**
 * How the template reaches CloudFormation: inline (TemplateBody, up to 51,200 bytes), or staged in a
 * private, encrypted S3 bucket and passed as TemplateURL (up to 1 MB). Over 1 MB is refused before
 * any AWS call.
 */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CFN_LIMITS } from '../compile/template.js';
import { ExitCode, MfinfraError } from '../errors.js';
import { awsErrorName } from './awsErrors.js';
import { DeployErrorCode } from './codes.js';
import { callAws, type PollOptions } from './poll.js';

export type TemplateSource = { TemplateBody: string } | { TemplateURL: string };

export interface StagedTemplate {
  source: TemplateSource;
  /** Where the template was uploaded (s3://bucket/key), when it was. */
  uploadedTo?: string;
  /** The bucket was created in this run. */
  createdBucket?: string;
}

/** Refuse templates CloudFormation cannot take at all. Call before any AWS request. */
export function assertTemplateSize(body: string, stackName: string, templateBucket: string | undefined): void {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > CFN_LIMITS.s3BodyBytes) {
    throw new MfinfraError(
      DeployErrorCode.TEMPLATE_TOO_LARGE,
      `the template for stack ${stackName} is ${bytes.toLocaleString('en-US')} bytes; CloudFormation accepts at most ${CFN_LIMITS.s3BodyBytes.toLocaleString('en-US')} bytes (1 MB) even from S3`,
      {
        hint: 'split the deployment into two manifests (two stacks), or disable plugins / features you do not need',
        exitCode: ExitCode.INVALID,
      },
    );
  }
  if (bytes > CFN_LIMITS.inlineBodyBytes && !templateBucket) {
    throw new MfinfraError(
      DeployErrorCode.TEMPLATE_TOO_LARGE,
      `the template for stack ${stackName} is ${bytes.toLocaleString('en-US')} bytes, over the 51,200 bytes CloudFormation takes inline, and no S3 staging bucket is set`,
      {
        hint: 'set stack.templateBucket in the manifest or pass --template-bucket NAME (mfinfra creates it, private and encrypted, if it does not exist)',
        exitCode: ExitCode.USAGE,
      },
    );
  }
}

/**
 * Inline when small; else upload to `bucket` (created private and encrypted when missing) under
 * `mfinfra/<stack>/<sha256>.json` and return its URL.
 */
export async function stageTemplate(
  s3: S3Client,
  input: { body: string; stackName: string; region: string; bucket?: string; endpoint?: string },
  options: PollOptions = {},
): Promise<StagedTemplate> {
  assertTemplateSize(input.body, input.stackName, input.bucket);
  if (Buffer.byteLength(input.body, 'utf8') <= CFN_LIMITS.inlineBodyBytes) return { source: { TemplateBody: input.body } };
  const bucket = input.bucket!;
  // A TLS-only bucket policy would lock out a plain-http emulator endpoint (moto enforces it).
  const tlsOnly = !input.endpoint?.startsWith('http://');
  const createdBucket = (await ensureStagingBucket(s3, bucket, input.region, { ...options, tlsOnly })) ? bucket : undefined;
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
        }),
      ),
    options,
  );
  return { source: { TemplateURL: objectUrl(bucket, key, input.region) }, uploadedTo: `s3://${bucket}/${key}`, createdBucket };
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

/**
 * Make sure the bucket exists; create it private (Block Public Access), encrypted (SSE-S3) and
 * TLS-only (unless `tlsOnly: false`, for a plain-http emulator) when it does not. Returns whether it
 * was created.
 */
export async function ensureStagingBucket(
  s3: S3Client,
  bucket: string,
  region: string,
  options: PollOptions & { tlsOnly?: boolean } = {},
): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (e) {
    const name = awsErrorName(e);
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'Forbidden' || status === 403) {
      throw new MfinfraError(
        DeployErrorCode.AWS_ACCESS_DENIED,
        `the template bucket ${bucket} exists but these credentials cannot use it`,
        {
          hint: 'S3 bucket names are global: pick another stack.templateBucket / --template-bucket, or grant s3:PutObject on it',
          exitCode: ExitCode.FAILURE,
          cause: e,
        },
      );
    }
    if (!(name === 'NotFound' || name === 'NoSuchBucket' || status === 404)) {
      return callAws(`check the template bucket ${bucket}`, () => Promise.reject(e), options);
    }
  }
  await callAws(
    `create the template bucket ${bucket}`,
    () =>
      s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      ),
    { ...options, idempotent: false },
  );
  await callAws(
    `block public access on ${bucket}`,
    () =>
      s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            IgnorePublicAcls: true,
            BlockPublicPolicy: true,
            RestrictPublicBuckets: true,
          },
        }),
      ),
    options,
  );
  await callAws(
    `turn on encryption for ${bucket}`,
    () =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
          },
        }),
      ),
    options,
  );
  if (options.tlsOnly === false) return true;
  await callAws(
    `require TLS on ${bucket}`,
    () =>
      s3.send(
        new PutBucketPolicyCommand({
          Bucket: bucket,
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyInsecureTransport',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [`arn:${partitionOf(region)}:s3:::${bucket}`, `arn:${partitionOf(region)}:s3:::${bucket}/*`],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          }),
        }),
      ),
    options,
  );
  return true;
}

/** The ARN partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
