/**
 * `@mfinfra/plugin-metadata`: Metaflow's metadata service (manifest key `metadata`).
 *
 * ```yaml
 * plugins: [network, metadata]
 * metadata: { profile: production, access: api-gateway }
 * ```
 */
import { metadataPlugin } from './plugin.js';

export { metadataPlugin, API_KEY_ID_OUTPUT, type ExistingMetadataApi, type MetadataApi, type MetadataDatabaseInfo } from './plugin.js';
export { DEFAULT_IMAGE, PROFILE_DEFAULTS, type MetadataOptions, type Profile } from './options.js';
/** Kept for code that imported it from here; it now lives in `@mfinfra/core/plugin` with `fargateSizeProblem`. */
export { fargateMemoryChoices } from '@mfinfra/core/plugin';
export default metadataPlugin;
