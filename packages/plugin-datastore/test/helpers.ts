import { compileManifest, fakePlugin, problems as problemsOf } from '@mfinfra/core/testing';
import datastore, { type DatastoreApi } from '../src/index.js';

/** A plugin that grants a role the datastore's read/write statements, as batch and metadata do. */
export const consumer = fakePlugin({
  key: 'consumer',
  requires: ['datastore'],
  resources: (ctx) => {
    const ds = ctx.use<DatastoreApi>('datastore');
    return {
      ConsumerPolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Version: '2012-10-17', Statement: ds.readWriteStatements() } },
      },
    };
  },
});

export const plugins = { datastore, consumer };

export function compile(yaml: string) {
  return compileManifest(yaml, { plugins });
}

/** The problems a manifest fails with, as a user sees them: code, where, what. */
export function problems(yaml: string) {
  return problemsOf(yaml, { plugins });
}
