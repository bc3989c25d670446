import { ref, type CfnResource, type PluginContext } from '@mfinfra/core/plugin';
import { jobQueueName, type BatchIds } from './ids.js';
import type { JobQueue } from './options.js';

/** A job queue over its compute environments, tried in the order given. */
export function jobQueue(ctx: PluginContext, queue: JobQueue, ids: BatchIds): CfnResource {
  return {
    Type: 'AWS::Batch::JobQueue',
    Properties: {
      JobQueueName: jobQueueName(ctx.naming, queue.name),
      Priority: queue.priority,
      State: 'ENABLED',
      ComputeEnvironmentOrder: queue.computeEnvironments.map((name, i) => ({
        Order: i + 1,
        ComputeEnvironment: ref(ids.computeEnvironment(name)),
      })),
    },
  };
}
