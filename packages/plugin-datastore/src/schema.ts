import type { JsonSchema } from '@mfinfra/core/plugin';

const prefix = (description: string): JsonSchema => ({ type: 'string', minLength: 1, maxLength: 512, description });
const days = (description: string): JsonSchema => ({ type: 'integer', minimum: 1, maximum: 36500, description });
const kmsKeyArn: JsonSchema = {
  type: 'string',
  maxLength: 2048,
  description: 'ARN of a KMS key, e.g. arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab.',
};
const tags: JsonSchema = {
  type: 'object',
  description: 'Extra tags on the bucket and its key (stack tags apply already).',
  propertyNames: { minLength: 1, maxLength: 128, pattern: '^(?!aws:)' },
  additionalProperties: { type: 'string', maxLength: 256 },
  maxProperties: 40,
};

/** JSON Schema of the `datastore:` section. Semantic rules (names, ARNs, prefixes) live in `check`. */
export const datastoreSchema: JsonSchema = {
  type: 'object',
  description: "Metaflow's S3 datastore: a private, encrypted, TLS-only bucket (bucket), or one that exists (existing).",
  additionalProperties: false,
  properties: {
    bucket: {
      type: ['object', 'null'],
      description: 'Create the bucket (the default). Kept when the stack is deleted.',
      additionalProperties: false,
      properties: {
        name: {
          type: 'string',
          maxLength: 255,
          description: 'Bucket name (3-63 lowercase letters, digits, hyphens). Leave out to let CloudFormation generate a unique one.',
        },
        versioning: { type: 'boolean', description: 'Keep old versions of overwritten and deleted objects.' },
        encryption: {
          type: 'object',
          description: 'Default encryption: sse-s3 (the default), or sse-kms with kmsKeyArn or a created key.',
          additionalProperties: false,
          properties: {
            type: { enum: ['sse-s3', 'sse-kms'], description: 'sse-s3 (S3-managed keys) or sse-kms (a KMS key).' },
            kmsKeyArn,
            createKey: {
              type: 'boolean',
              description: 'With sse-kms: create a KMS key with rotation on (the default when kmsKeyArn is absent).',
            },
          },
        },
        lifecycle: {
          type: 'object',
          description: 'Lifecycle rules.',
          additionalProperties: false,
          properties: {
            abortIncompleteUploadsAfterDays: {
              oneOf: [
                days('Abort incomplete multipart uploads after this many days (default 7).'),
                { const: false, description: 'false turns the rule off.' },
              ],
            },
            noncurrentVersionsExpireAfterDays: days('Delete noncurrent object versions after this many days (needs versioning: true).'),
            expire: {
              type: 'array',
              description: 'Expire objects under a key prefix after a number of days.',
              maxItems: 100,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['prefix', 'days'],
                properties: {
                  prefix: prefix('Key prefix, without leading or trailing slash, e.g. tmp/scratch.'),
                  days: days('Days after creation.'),
                },
              },
            },
          },
        },
        accessLogs: {
          description:
            'S3 server access logs of the bucket. Leave out to log to a private, encrypted log bucket this stack creates (kept on delete, logs expire after 90 days); give bucket to log to one you have; false turns logging off.',
          oneOf: [
            { const: false, description: 'false turns server access logging off.' },
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                bucket: {
                  type: 'string',
                  maxLength: 255,
                  description:
                    'Existing bucket to deliver the logs to (name). Its policy must let logging.s3.amazonaws.com put objects under the prefix; it must use SSE-S3.',
                },
                prefix: {
                  type: 'string',
                  minLength: 1,
                  maxLength: 512,
                  description: 'Key prefix of the log objects (default "datastore/").',
                },
                expireAfterDays: days('With the created log bucket: delete log objects after this many days (default 90).'),
              },
            },
          ],
        },
        tags,
      },
    },
    existing: {
      type: 'object',
      description: 'Reuse an existing bucket; nothing is created.',
      additionalProperties: false,
      required: ['bucket'],
      properties: {
        bucket: { type: 'string', maxLength: 2048, description: 'Bucket name, or bucket ARN (arn:aws:s3:::name).' },
        kmsKeyArn: { ...kmsKeyArn, description: `When the bucket uses SSE-KMS: its key. ${kmsKeyArn.description as string}` },
      },
    },
    sysroot: prefix(
      'Key prefix of the Metaflow datastore in the bucket (default "metaflow"): METAFLOW_DATASTORE_SYSROOT_S3 = s3://<bucket>/<sysroot>.',
    ),
    datatools: prefix(
      'Key prefix for metaflow.S3 and IncludeFile data: METAFLOW_DATATOOLS_S3ROOT = s3://<bucket>/<datatools>. Default "<sysroot>/data", the value Metaflow itself assumes; the official CloudFormation and Terraform templates use "data".',
    ),
  },
};
