/**
 * The other plugins' APIs this plugin reads, from their packages (types only: no runtime import).
 */
export type { BatchApi } from '@mfinfra/plugin-batch';
export type { DatastoreApi, IamStatement } from '@mfinfra/plugin-datastore';
export type { MetadataApi } from '@mfinfra/plugin-metadata';
export type { SchedulingApi } from '@mfinfra/plugin-scheduling';
