/**
 * What a loaded plugin is: the plugin object and where it came from. Its own module (types only), so
 * the hook table (`plugins/hooks.ts`), which `loadPlugins.ts` reads for the hook names, can use it
 * without importing the loader back.
 */
import type { Plugin } from '../plugin.js';
import type { PluginResolvedFrom, PluginSourceKind } from './resolve.js';

/** A plugin that loaded and passed the shape checks. */
export interface LoadedPlugin {
  plugin: Plugin<unknown, unknown>;
  /** The manifest entry that named it. */
  spec: string;
  /** Index in the manifest's `plugins:` list. */
  index: number;
  kind: PluginSourceKind;
  /** Which place in the resolution order it came from, and why (see resolve.ts). */
  resolvedFrom: PluginResolvedFrom;
  resolution: string;
  /** Absolute path of the module that was imported. */
  source: string;
  packageName?: string;
  /** `plugin.version`, else the package's version. */
  version?: string;
  /** Milliseconds spent importing and checking the module. */
  loadMs: number;
}
