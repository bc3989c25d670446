/**
 * At plan/apply (the `verify` hook): an existing bucket exists and the credentials in use can reach
 * it. Reported at `datastore.existing.bucket` with what S3 answered.
 */
import type { LiveContext } from '@mfinfra/core/plugin';
import type { DatastoreModel } from './model.js';

export async function verifyExistingBucket(ctx: LiveContext, model: DatastoreModel): Promise<void> {
  if (model.mode !== 'existing' || typeof model.bucketName !== 'string') return;
  const { HeadBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
  const name = model.bucketName;
  const path = ['existing', 'bucket'];
  try {
    const head = await ctx.aws
      .client(S3Client)
      .send(new HeadBucketCommand({ Bucket: name }), ctx.signal ? { abortSignal: ctx.signal } : {});
    if (head.BucketRegion && head.BucketRegion !== ctx.aws.region) {
      ctx.warn(`bucket ${name} is in ${head.BucketRegion}, not in ${ctx.aws.region} where the stack deploys`, {
        path,
        code: 'DATASTORE_BUCKET_OTHER_REGION',
        hint: 'Metaflow works across regions, but every step then pays cross-region transfer and latency',
      });
    }
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name_ = (e as { name?: string }).name;
    if (status === 404 || name_ === 'NotFound' || name_ === 'NoSuchBucket') {
      ctx.report(`bucket ${name} does not exist`, {
        path,
        code: 'DATASTORE_BUCKET_NOT_FOUND',
        hint: 'check the name (aws s3api head-bucket --bucket <name>), or use datastore.bucket to let mfinfra create one',
      });
      return;
    }
    if (status === 403 || name_ === 'Forbidden') {
      ctx.report(`bucket ${name} exists, but the credentials in use may not read it (S3 answered 403)`, {
        path,
        code: 'DATASTORE_BUCKET_FORBIDDEN',
        hint: 'it may belong to another account: check the name, or use credentials allowed s3:ListBucket on it',
      });
      return;
    }
    throw e;
  }
}
