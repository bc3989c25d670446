/**
 * The section `mfinfra init` writes for this plugin (the plugin's `starter`): small, valid on its
 * own, with the settings people change first shown as comments.
 */
export const starter = `# Metaflow's S3 datastore: a private, encrypted, TLS-only bucket, kept when the stack is deleted.
datastore:
  bucket:
    versioning: true
    # encryption: { type: sse-kms }       # a KMS key with rotation, instead of S3-managed keys
  sysroot: metaflow                       # METAFLOW_DATASTORE_SYSROOT_S3 = s3://<bucket>/metaflow
  # existing: { bucket: my-bucket }       # reuse a bucket instead of creating one (remove bucket:)
`;
