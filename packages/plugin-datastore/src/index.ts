/**
 * `@mfinfra/plugin-datastore`: Metaflow's S3 datastore (manifest key `datastore`).
 * Creates a private, encrypted, TLS-only bucket that survives stack deletion, or reuses an existing
 * one, and exposes {@link DatastoreApi} to the plugins that read and write it.
 */
import { datastorePlugin } from './plugin.js';

export type { DatastoreApi, IamStatement } from './api.js';
export type { BucketOptions, DatastoreOptions, EncryptionOptions, ExistingBucketOptions, LifecycleOptions } from './options.js';
export { bucketNameProblem } from './bucketName.js';
export { datastorePlugin };
export default datastorePlugin;
