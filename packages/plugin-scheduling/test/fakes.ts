/**
 * The scheduling plugin compiled on its own: core's stand-ins for batch (two queues, `cpu` the
 * default), datastore (`kms: true` in its section adds a key) and metadata (scheduling only checks
 * that it is loaded), and a manifest with a scheduling section.
 */
import { fakeBatch, fakeDatastore, fakePlugin } from '@mfinfra/core/testing';

export const fakeMetadata = fakePlugin({ key: 'metadata' });

export const plugins = { batch: fakeBatch({ queues: ['cpu', 'gpu'] }), datastore: fakeDatastore(), metadata: fakeMetadata };

export function manifest(scheduling: string, opts: { plugins?: string[]; datastore?: string; stack?: string } = {}): string {
  return [
    'version: 1',
    `stack: { name: ${opts.stack ?? 'mf-test'}, region: us-west-2 }`,
    `plugins: [${(opts.plugins ?? ['datastore', 'batch', 'metadata', 'scheduling']).join(', ')}]`,
    `datastore: ${opts.datastore ?? '{}'}`,
    scheduling,
    '',
  ].join('\n');
}
