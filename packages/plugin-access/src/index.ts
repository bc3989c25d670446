/**
 * `@mfinfra/plugin-access`: access for the people who run flows (manifest key `access`).
 *
 * ```yaml
 * plugins: [network, datastore, batch, metadata, scheduling, access]
 * access:
 *   role: { trustedPrincipals: ['arn:aws:iam::123456789012:role/ml-engineers'], requireMfa: true }
 * ```
 */
import { accessPlugin } from './plugin.js';

export { accessPlugin, ID, OUTPUT, type AccessApi } from './plugin.js';
export { BATCH_LOG_GROUP, LOG_DELIVERY_ACTIONS, trustPolicy, userPolicyStatements, type PolicyInputs } from './policy.js';
export type { AccessOptions } from './options.js';
export default accessPlugin;
