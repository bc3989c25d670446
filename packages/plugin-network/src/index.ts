/**
 * `@mfinfra/plugin-network`: the VPC Metaflow's compute and database share (manifest key `network`).
 * Creates a VPC with public subnets in several zones (and, optionally, private subnets behind NAT
 * and an S3 gateway endpoint), or reuses an existing VPC, and exposes {@link NetworkApi}.
 */
import { networkPlugin } from './plugin.js';

export type { NetworkApi } from './api.js';
export type { CreateNetworkOptions, ExistingNetworkOptions, NetworkOptions } from './options.js';
export { networkPlugin };
export default networkPlugin;
