/**
 * What `mfinfra init` offers. Core knows the first-party plugins' short names (load/resolve.ts maps
 * each to its package), never their sections: each plugin's `starter` is the text init writes.
 */
/** The first-party plugins in the order a manifest lists them (dependencies first). */
export const FIRST_PARTY_ORDER = ['datastore', 'network', 'batch', 'metadata', 'scheduling', 'ui', 'access', 'notebook'] as const;

/** What `mfinfra init` picks when nobody says otherwise: the whole Metaflow stack (no UI, which needs a domain and certificate). */
export const DEFAULT_PLUGINS: readonly string[] = ['datastore', 'network', 'batch', 'metadata', 'scheduling'];
