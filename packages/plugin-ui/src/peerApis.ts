/**
 * The other plugins' APIs this plugin reads, from their packages (types only: no runtime import).
 */
export type { NetworkApi } from '@mfinfra/plugin-network';
export type { DatastoreApi } from '@mfinfra/plugin-datastore';
export type { MetadataApi } from '@mfinfra/plugin-metadata';
