/**
 * The other plugins' APIs this plugin reads, from their packages (types only: no runtime import).
 */
export type { NetworkApi } from '@mfinfra/plugin-network';
export type { DatastoreApi } from '@mfinfra/plugin-datastore';
export type { BatchApi } from '@mfinfra/plugin-batch';
export type { MetadataApi } from '@mfinfra/plugin-metadata';
export type { SchedulingApi } from '@mfinfra/plugin-scheduling';
export type { UiApi } from '@mfinfra/plugin-ui';
export type { AccessApi } from '@mfinfra/plugin-access';
