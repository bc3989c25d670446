import { MfinfraError } from '../errors.js';
import { findManifest } from './find.js';
import { parseManifest, type ManifestSource } from './source.js';
import { loadPlugins, type LoadedPlugin } from './loadPlugins.js';
import { FIRST_PARTY_PLUGINS } from './resolve.js';
import type { JsonSchema } from '../plugin.js';
import { withEnvironmentsSchema } from '../environments/schema.js';
import { schemaOfPlugins } from './assemble.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface SchemaOptions {
  manifest?: string;
  cwd?: string;
}

/**
 * The merged JSON Schema for editors. With a manifest, its plugins' fragments; without one, every
 * first-party plugin that is installed. Plugins that fail to load are left out. `file`: the manifest
 * found, if any.
 */
export async function getSchema(options: SchemaOptions = {}): Promise<{ schema: JsonSchema; plugins: string[]; file?: string }> {
  const cwd = options.cwd ?? process.cwd();
  let file: string | undefined;
  try {
    file = await findManifest(options.manifest, cwd);
  } catch (e) {
    if (options.manifest !== undefined || !MfinfraError.is(e)) throw e;
  }
  let specs: string[] = Object.keys(FIRST_PARTY_PLUGINS);
  let source = parseManifest('{}', path.join(cwd, 'metaflow.infra.yaml'));
  if (file) {
    const text = await readFile(file, 'utf8');
    try {
      source = parseManifest(text, file);
      const data = source.data as { plugins?: unknown; environments?: unknown } | null;
      if (data && Array.isArray(data.plugins)) specs = data.plugins.filter((p): p is string => typeof p === 'string');
      // Plugins an environment adds belong in the editor schema too.
      if (data && data.environments && typeof data.environments === 'object') {
        for (const overlay of Object.values(data.environments as Record<string, { plugins?: unknown } | null>)) {
          if (overlay && Array.isArray(overlay.plugins)) {
            for (const p of overlay.plugins) if (typeof p === 'string' && !specs.includes(p)) specs = [...specs, p];
          }
        }
      }
    } catch {
      source = parseManifest('{}', file);
    }
  }
  const { plugins, schema } = await loadEditorSchema(specs, source);
  return { schema: withEnvironmentsSchema(schema), plugins: plugins.map((lp) => lp.plugin.name), ...(file ? { file } : {}) };
}

/**
 * The front half for a manifest being written (`mfinfra schema`, `mfinfra init`): the plugins of
 * `specs` that load (one that does not is left out, not an error) and the editor schema of core
 * plus their sections. `source` is only where problems would point.
 */
export async function loadEditorSchema(
  specs: readonly string[],
  source: ManifestSource,
): Promise<{ plugins: LoadedPlugin[]; schema: JsonSchema }> {
  const { loaded } = await loadPlugins(specs, source);
  return { plugins: loaded, schema: schemaOfPlugins(loaded, { forEditor: true }) };
}
