/**
 * The front half as one entry: find the manifest, parse it, resolve and load its plugins, assemble and
 * validate the schema, apply the defaults (`loadProject`); the same for a manifest being written
 * (`getSchema`, `loadEditorSchema`). compile/, plugins/list.ts, init/, environments/all.ts and the
 * public API (src/index.ts) take the front half only from here; the other load/ modules are its parts.
 */
export { findManifest, MANIFEST_FILE_NAMES } from './find.js';
export { formatPath, parseManifest, readManifest } from './source.js';
export type { ManifestSource } from './source.js';
export { FIRST_PARTY_PLUGINS, getCliPackage, isLocalSpec, resolvePluginSpec, setCliPackage } from './resolve.js';
export type { CliPackage, ResolvedPluginSpec } from './resolve.js';
export type { LoadedPlugin } from './loadPlugins.js';
export { loadProject, loadProjectFrom, readProjectSource, throwIfErrors } from './project.js';
export type { LoadOptions, Project, ResolvedManifest } from './project.js';
export { getSchema, loadEditorSchema } from './editorSchema.js';
export type { SchemaOptions } from './editorSchema.js';
export { CORE_KEYS, SCHEMA_ID, stackSchema } from './rootSchema.js';
export { didYouMean } from './didYouMean.js';
