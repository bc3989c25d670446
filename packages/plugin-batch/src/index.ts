/**
 * @mfinfra/plugin-batch: AWS Batch compute for Metaflow (manifest key `batch`).
 */
import { batchPlugin } from './plugin.js';

export type { BatchApi } from './plugin.js';
export type { BatchOptions, ComputeEnvironmentOptions, JobQueueOptions } from './options.js';
export { batchPlugin };
export default batchPlugin;
