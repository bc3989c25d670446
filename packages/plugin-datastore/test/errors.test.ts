import { describe, expect, it } from 'vitest';
import { compile, problems } from './helpers.js';

const manifest = (section: string) => `version: 1
stack: { name: mf }
plugins: [datastore]
datastore:
${section}`;

describe('datastore manifest errors point at the manifest', () => {
  it('rejects bucket names S3 would refuse, each at its position', async () => {
    const names = [
      'ab',
      'My-Bucket',
      'bucket_name',
      '-bucket',
      'my..bucket',
      'my.-bucket',
      '192.168.5.4',
      'xn--bucket',
      'data-s3alias',
      'a'.repeat(64),
    ];
    const yaml = `version: 1
stack: { name: mf }
plugins: [datastore]
datastore:
  bucket:
    name: ${names[0]}
`;
    const found = [];
    for (const name of names) found.push((await problems(yaml.replace(`name: ${names[0]}`, `name: "${name}"`)))[0]);
    expect(found).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "ab" must be 3 to 63 characters long (it has 2)",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "My-Bucket" must not contain uppercase letters",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "bucket_name" must contain only lowercase letters, digits, hyphens and dots (found "_")",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "-bucket" must begin and end with a letter or digit",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "my..bucket" must not contain two adjacent dots",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "my.-bucket" must not have a dot next to a hyphen",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "192.168.5.4" must not look like an IP address",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "xn--bucket" must not start with the reserved prefix "xn--"",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "data-s3alias" must not end with the reserved suffix "-s3alias"",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" must be 3 to 63 characters long (it has 64)",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
      ]
    `);
  });

  it('rejects ARNs that are not S3 bucket ARNs', async () => {
    const arns = [
      'arn:aws:s3:::bucket/some/key',
      'arn:aws:s3:us-west-2:111122223333:accesspoint/ap',
      'arn:aws:iam::111122223333:role/x',
      's3://bucket/prefix',
    ];
    const found = [];
    for (const arn of arns) found.push(...(await problems(manifest(`  existing: { bucket: "${arn}" }\n`))));
    expect(found).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:5:23",
          "code": "MANIFEST_INVALID",
          "hint": "use arn:aws:s3:::bucket, and set sysroot for the prefix",
          "message": "existing bucket "arn:aws:s3:::bucket/some/key" is an object ARN, not a bucket ARN",
          "pluginCode": "DATASTORE_BAD_BUCKET_ARN",
        },
        {
          "at": "metaflow.infra.yaml:5:23",
          "code": "MANIFEST_INVALID",
          "hint": "access points are not supported; give the bucket behind it",
          "message": "existing bucket "arn:aws:s3:us-west-2:111122223333:accesspoint/ap" is not an S3 bucket ARN (bucket ARNs have no region or account: arn:aws:s3:::name)",
          "pluginCode": "DATASTORE_BAD_BUCKET_ARN",
        },
        {
          "at": "metaflow.infra.yaml:5:23",
          "code": "MANIFEST_INVALID",
          "hint": "give the bucket name, or its ARN arn:aws:s3:::<name>",
          "message": "existing bucket "arn:aws:iam::111122223333:role/x" is an ARN of service "iam", not of an S3 bucket",
          "pluginCode": "DATASTORE_BAD_BUCKET_ARN",
        },
        {
          "at": "metaflow.infra.yaml:5:23",
          "code": "MANIFEST_INVALID",
          "hint": "give the name only ("bucket") and set sysroot for the prefix",
          "message": "existing bucket "s3://bucket/prefix" is an S3 URL, not a bucket name",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
      ]
    `);
  });

  it('rejects prefixes with leading or trailing slashes, and other bad prefixes', async () => {
    expect(
      await problems(
        manifest(`  sysroot: /metaflow
  datatools: data/
  bucket:
    lifecycle:
      expire:
        - { prefix: tmp//x, days: 3 }
        - { prefix: "a b", days: 3 }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:5:12",
          "code": "MANIFEST_INVALID",
          "hint": "write "metaflow"",
          "message": "datastore.sysroot "/metaflow" must not start or end with "/"",
          "pluginCode": "DATASTORE_BAD_PREFIX",
        },
        {
          "at": "metaflow.infra.yaml:6:14",
          "code": "MANIFEST_INVALID",
          "hint": "write "data"",
          "message": "datastore.datatools "data/" must not start or end with "/"",
          "pluginCode": "DATASTORE_BAD_PREFIX",
        },
        {
          "at": "metaflow.infra.yaml:10:21",
          "code": "MANIFEST_INVALID",
          "hint": "write "tmp/x"",
          "message": "lifecycle prefix "tmp//x" must not contain an empty path segment ("//")",
          "pluginCode": "DATASTORE_BAD_PREFIX",
        },
        {
          "at": "metaflow.infra.yaml:11:21",
          "code": "MANIFEST_INVALID",
          "hint": "use letters, digits and ! - _ . * ' ( ) /",
          "message": "lifecycle prefix "a b" contains " ", which needs escaping in S3 URLs",
          "pluginCode": "DATASTORE_BAD_PREFIX",
        },
      ]
    `);
  });

  it('rejects lifecycle days below 1', async () => {
    expect(
      await problems(
        manifest(`  bucket:
    lifecycle:
      abortIncompleteUploadsAfterDays: 0
      expire: [{ prefix: tmp, days: 0 }]
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:7:40",
          "code": "MANIFEST_INVALID",
          "hint": "Abort incomplete multipart uploads after this many days (default 7).",
          "message": "datastore.bucket.lifecycle.abortIncompleteUploadsAfterDays must be >= 1, not 0",
        },
        {
          "at": "metaflow.infra.yaml:8:37",
          "code": "MANIFEST_INVALID",
          "hint": "Days after creation.",
          "message": "datastore.bucket.lifecycle.expire[0].days must be >= 1, not 0",
        },
      ]
    `);
  });

  it('rejects KMS options that contradict each other', async () => {
    const key = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const cases = [
      `    encryption: { type: sse-s3, kmsKeyArn: "${key}" }\n`,
      `    encryption: { type: sse-s3, createKey: true }\n`,
      `    encryption: { kmsKeyArn: "${key}", createKey: true }\n`,
      `    encryption: { type: sse-kms, createKey: false }\n`,
      `    encryption: { kmsKeyArn: "arn:aws:kms:us-west-2:111122223333:alias/metaflow" }\n`,
    ];
    const found = [];
    for (const c of cases) found.push(...(await problems(manifest(`  bucket:\n${c}`))));
    expect(found).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:44",
          "code": "MANIFEST_INVALID",
          "hint": "set type: sse-kms to encrypt with this key, or remove kmsKeyArn",
          "message": "encryption type sse-s3 does not use a KMS key, but kmsKeyArn is set",
          "pluginCode": "DATASTORE_KMS_CONFLICT",
        },
        {
          "at": "metaflow.infra.yaml:6:44",
          "code": "MANIFEST_INVALID",
          "hint": "set type: sse-kms to encrypt with a created key, or remove createKey",
          "message": "encryption type sse-s3 does not use a KMS key, but createKey is true",
          "pluginCode": "DATASTORE_KMS_CONFLICT",
        },
        {
          "at": "metaflow.infra.yaml:6:120",
          "code": "MANIFEST_INVALID",
          "hint": "remove createKey to use the given key, or remove kmsKeyArn to create one",
          "message": "encryption sets both kmsKeyArn (use this key) and createKey: true (create a key)",
          "pluginCode": "DATASTORE_KMS_CONFLICT",
        },
        {
          "at": "metaflow.infra.yaml:6:45",
          "code": "MANIFEST_INVALID",
          "hint": "give kmsKeyArn, or drop createKey: false to create a key",
          "message": "encryption type sse-kms needs a key, but kmsKeyArn is absent and createKey is false",
          "pluginCode": "DATASTORE_KMS_CONFLICT",
        },
        {
          "at": "metaflow.infra.yaml:6:30",
          "code": "MANIFEST_INVALID",
          "hint": "IAM policies grant use of a key by its key ARN; give arn:aws:kms:<region>:<account>:key/<key-id>",
          "message": "kmsKeyArn "arn:aws:kms:us-west-2:111122223333:alias/metaflow" is a KMS alias ARN, not a key ARN",
          "pluginCode": "DATASTORE_BAD_KMS_KEY_ARN",
        },
      ]
    `);
  });

  it('rejects versioning rules on an unversioned bucket, both modes at once, and reports every problem in one run', async () => {
    expect(
      await problems(
        manifest(`  bucket:
    name: Bad_Name
    lifecycle: { noncurrentVersionsExpireAfterDays: 30 }
  existing: { bucket: other-bucket }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:11",
          "code": "MANIFEST_INVALID",
          "hint": "see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html, or leave name out to let CloudFormation generate one",
          "message": "bucket name "Bad_Name" must not contain uppercase letters",
          "pluginCode": "DATASTORE_BAD_BUCKET_NAME",
        },
        {
          "at": "metaflow.infra.yaml:7:53",
          "code": "MANIFEST_INVALID",
          "hint": "set bucket.versioning: true, or remove noncurrentVersionsExpireAfterDays",
          "message": "lifecycle.noncurrentVersionsExpireAfterDays only applies to a versioned bucket, but versioning is not on",
          "pluginCode": "DATASTORE_LIFECYCLE_CONFLICT",
        },
        {
          "at": "metaflow.infra.yaml:8:13",
          "code": "MANIFEST_INVALID",
          "hint": "keep "existing" to reuse a bucket, or "bucket" to create one; not both",
          "message": "datastore has both "bucket" (create one) and "existing" (reuse one)",
          "pluginCode": "DATASTORE_MODE_CONFLICT",
        },
      ]
    `);
  });

  it('warns (without failing) when a lifecycle rule would expire the datastore itself', async () => {
    const { warnings } = await compile(manifest(`  bucket:\n    lifecycle: { expire: [{ prefix: metaflow, days: 30 }] }\n`));
    expect(warnings.map((w) => [w.message, `${w.loc?.line}:${w.loc?.column}`])).toMatchInlineSnapshot(`
      [
        [
          "lifecycle rule expire[0] deletes Metaflow's datastore (sysroot "metaflow") after 30 days",
          "6:37",
        ],
      ]
    `);
  });

  it('rejects access log settings that cannot work, each at its position', async () => {
    const found = await problems(manifest(`  bucket:\n    name: acme-mf\n    accessLogs: { bucket: acme-mf, expireAfterDays: 30 }\n`));
    expect(found.map((p) => [p.pluginCode, p.at])).toEqual([
      ['DATASTORE_ACCESS_LOG_LOOP', 'metaflow.infra.yaml:7:27'],
      ['DATASTORE_ACCESS_LOG_CONFLICT', 'metaflow.infra.yaml:7:53'],
    ]);
    const bad = await problems(manifest(`  bucket:\n    accessLogs: { bucket: "bad name" }\n`));
    expect(bad.map((p) => [p.pluginCode, p.at])).toEqual([['DATASTORE_BAD_BUCKET_NAME', 'metaflow.infra.yaml:6:27']]);
  });
});
