/**
 * `@mfinfra/plugin-scheduling`: Metaflow on AWS Step Functions (manifest key `scheduling`).
 *
 * ```yaml
 * plugins: [network, datastore, batch, metadata, scheduling]
 * scheduling: { stateMachinePrefix: mlprod }
 * ```
 */
import { schedulingPlugin } from './plugin.js';

export { schedulingPlugin, statePrefix, type SchedulingApi } from './plugin.js';
export { LOG_DELIVERY_ACTIONS } from './resources.js';
export type { SchedulingOptions } from './options.js';
export default schedulingPlugin;
