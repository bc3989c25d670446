/** Manifests that exercise every shape of the datastore section (used by snapshot and cfn-lint tests). */
export const variants: Record<string, string> = {
  minimal: `version: 1
stack: { name: metaflow-minimal, region: us-west-2 }
plugins: [datastore, consumer]
`,
  'sse-kms-created-key': `version: 1
stack: { name: metaflow-kms, region: us-west-2 }
plugins: [datastore, consumer]
datastore:
  bucket:
    name: acme-metaflow-datastore
    versioning: true
    encryption: { type: sse-kms }
    lifecycle:
      abortIncompleteUploadsAfterDays: 3
      noncurrentVersionsExpireAfterDays: 30
      expire: [{ prefix: scratch/tmp, days: 14 }]
    tags: { team: ml, cost-center: "42" }
  sysroot: mf
  datatools: data
`,
  'sse-kms-given-key': `version: 1
stack: { name: metaflow-kms-given }
plugins: [datastore, consumer]
datastore:
  bucket:
    encryption: { kmsKeyArn: "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
    lifecycle: { abortIncompleteUploadsAfterDays: false }
`,
  'access-logs-given-bucket': `version: 1
stack: { name: metaflow-logs-given }
plugins: [datastore, consumer]
datastore:
  bucket:
    accessLogs: { bucket: acme-central-s3-logs, prefix: metaflow/datastore/ }
`,
  'access-logs-off': `version: 1
stack: { name: metaflow-logs-off }
plugins: [datastore, consumer]
datastore:
  bucket:
    accessLogs: false
`,
  existing: `version: 1
stack: { name: metaflow-existing }
plugins: [datastore, consumer]
datastore:
  existing: { bucket: legacy-metaflow-bucket }
  sysroot: metaflow/prod
`,
  'existing-arn-kms': `version: 1
stack: { name: metaflow-existing-arn }
plugins: [datastore, consumer]
datastore:
  existing:
    bucket: arn:aws-us-gov:s3:::gov-metaflow
    kmsKeyArn: arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab
`,
};
