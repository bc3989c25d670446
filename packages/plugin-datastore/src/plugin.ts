import { definePlugin, type ConfigOutputValue, type StackOutput } from '@mfinfra/core/plugin';
import { datastoreApi, type DatastoreApi } from './api.js';
import { checkDatastore } from './check.js';
import { datastoreModel, type DatastoreModel } from './model.js';
import { DEFAULT_SYSROOT, type DatastoreOptions } from './options.js';
import { datastoreResources } from './resources.js';
import { datastoreSchema } from './schema.js';
import { verifyExistingBucket } from './verify.js';
import { VERSION } from './version.js';
import { starter } from './starter.js';

/** Metaflow's S3 datastore: a private, encrypted, TLS-only bucket, or an existing one. */
export const datastorePlugin = definePlugin<DatastoreOptions, DatastoreApi, DatastoreModel>({
  name: 'mfinfra:datastore',
  apiVersion: 1,
  version: VERSION,
  description: "Metaflow's S3 datastore: a private, encrypted, TLS-only bucket (kept on delete), or an existing bucket",
  key: 'datastore',
  starter,
  schema: datastoreSchema,
  defaults: { sysroot: DEFAULT_SYSROOT },
  optionalSection: true,
  check: checkDatastore,
  // The bucket's names, ARNs and key, made once; every later hook gets them.
  resolve: (ctx, options) => datastoreModel(ctx.naming, options),
  api: (_ctx, _options, model) => datastoreApi(model),
  resources: (ctx, options, model) => datastoreResources(ctx.naming, options, model),
  outputs: (_ctx, _options, model): Record<string, ConfigOutputValue> => {
    return {
      METAFLOW_DEFAULT_DATASTORE: { value: 's3', description: 'Metaflow stores artifacts in S3' },
      METAFLOW_DATASTORE_SYSROOT_S3: { value: model.sysroot, description: 'S3 prefix of the Metaflow datastore' },
      METAFLOW_DATATOOLS_S3ROOT: { value: model.datatoolsRoot, description: 'S3 prefix for metaflow.S3 and IncludeFile data' },
    };
  },
  stackOutputs: (_ctx, _options, model): Record<string, StackOutput> => {
    const outputs: Record<string, StackOutput> = {
      DatastoreBucketName: { value: model.bucketName, description: 'Name of the Metaflow datastore bucket' },
      DatastoreBucketArn: { value: model.bucketArn, description: 'ARN of the Metaflow datastore bucket' },
    };
    if (model.kmsKeyArn !== undefined)
      outputs.DatastoreKmsKeyArn = { value: model.kmsKeyArn, description: 'KMS key that encrypts the datastore bucket' };
    return outputs;
  },
  verify: (ctx, _options, model) => verifyExistingBucket(ctx, model),
});
