/**
 * `@mfinfra/plugin-ui`: the Metaflow UI (manifest key `ui`).
 *
 * ```yaml
 * plugins: [network, datastore, metadata, ui]
 * ui:
 *   domainName: metaflow.example.com
 *   certificateArn: arn:aws:acm:us-west-2:123456789012:certificate/…
 * ```
 */
import { uiPlugin } from './plugin.js';

export { uiPlugin, type UiApi } from './plugin.js';
export { DEFAULT_STATIC_IMAGE, BACKEND_PORT, STATIC_PORT, type UiOptions } from './options.js';
export { ELB_LOG_ACCOUNTS } from './loadBalancer.js';
export default uiPlugin;
