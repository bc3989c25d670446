/**
 * What a compile returns (types only). Its own module so the modules that run later on a result
 * (`plugins/live.ts`, which `compile.ts` calls to remember the live run) can name it without
 * importing `compile.ts` back. `compile.ts` re-exports both types.
 */
import type { Diagnostic } from '../errors.js';
import type { LoadedPlugin, ResolvedManifest } from '../load/index.js';
import type { ConfigOutputEntry, StackOutputEntry } from '../plugins/hooks.js';
import type { TemplateStats } from './checks.js';
import type { CfnTemplate } from './template.js';

export interface PluginInfo {
  name: string;
  key: string;
  spec: string;
  kind: LoadedPlugin['kind'];
  /** Where in the resolution order it was found (`path`, `manifest`, `cli`) and why. */
  resolvedFrom: LoadedPlugin['resolvedFrom'];
  resolution: string;
  source: string;
  packageName?: string;
  version?: string;
  loadMs: number;
  requires: string[];
  uses: string[];
  description?: string;
}

export interface CompileResult {
  file: string;
  /** The environment compiled (`--env`), when the manifest declares environments. */
  environment?: string;
  stackName: string;
  region?: string;
  manifest: Readonly<ResolvedManifest>;
  plugins: PluginInfo[];
  template: CfnTemplate;
  /** The template text in the requested format (byte-identical for the same manifest). */
  body: string;
  format: 'json' | 'yaml';
  stats: TemplateStats;
  warnings: Diagnostic[];
  configOutputs: ConfigOutputEntry[];
  stackOutputs: StackOutputEntry[];
  /** logical id → manifest key of the plugin that contributed the resource */
  resourceOwners: Record<string, string>;
}
