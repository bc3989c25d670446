/**
 * Stand-ins for the `network`, `datastore` and `batch` plugins, from `@mfinfra/core/testing`: they
 * own those manifest sections and give the agreed api shapes, so the GPU plugin can be tested on
 * its own (firstParty.test.ts compiles it with the real ones).
 */
import { fakeDatastore as datastore, fakeNetwork as network, fakePlugin } from '@mfinfra/core/testing';
import type { Plugin } from '@mfinfra/core/plugin';

/** An existing VPC with two private subnets and one security group. */
export const fakeNetwork = network({
  mode: 'existing',
  private: true,
  securityGroupIds: ['sg-0123456789abcdef0'],
});

export const fakeDatastore = datastore();

/** Stands in for @mfinfra/plugin-batch: owns METAFLOW_BATCH_JOB_QUEUE. */
export const fakeBatch = fakePlugin({
  key: 'batch',
  outputs: () => ({ METAFLOW_BATCH_JOB_QUEUE: 'arn:aws:batch:us-west-2:123456789012:job-queue/cpu' }),
});

export const fakes: Record<string, Plugin<any, any>> = { network: fakeNetwork, datastore: fakeDatastore };
