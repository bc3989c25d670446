import { pluginInfo, type PluginInfo } from '../compile/compile.js';
import { environmentsOf, mapWithLimit } from '../environments/all.js';
import { loadProjectFrom, readProjectSource, type LoadOptions } from '../load/index.js';

/**
 * The plugins a manifest loads: name, key, where from, version, load time, dependencies. With
 * environments and no `env`, the plugins of every environment (each once, in the first one's order).
 */
export async function listPlugins(options: LoadOptions = {}): Promise<{ file: string; plugins: PluginInfo[] }> {
  const source = await readProjectSource(options);
  const envs = options.env !== undefined ? [options.env] : environmentsOf(source);
  const projects = await mapWithLimit(envs, 4, (env) => loadProjectFrom(source, { ...options, env }));
  const seen = new Set<string>();
  const plugins = projects.flatMap((p) => p.plugins.filter((lp) => !seen.has(lp.plugin.name) && seen.add(lp.plugin.name)).map(pluginInfo));
  return { file: source.file, plugins };
}
