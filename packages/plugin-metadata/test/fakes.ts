/**
 * The metadata plugin compiled on its own: core's stand-ins for network (private subnets unless the
 * section says `private: false`) and batch, and a manifest with a metadata section.
 */
import { fakeBatch, fakeNetwork } from '@mfinfra/core/testing';

export const plugins = { network: fakeNetwork({ private: true }), batch: fakeBatch() };

/** A manifest with the fake network (and batch when asked) plus a metadata section. */
export function manifest(metadata: string, opts: { network?: string; batch?: boolean } = {}): string {
  const list = ['network', ...(opts.batch ? ['batch'] : []), 'metadata'];
  return [
    'version: 1',
    'stack: { name: mf-test, region: us-west-2 }',
    `plugins: [${list.join(', ')}]`,
    `network: ${opts.network ?? '{ mode: create }'}`,
    metadata,
    '',
  ].join('\n');
}
