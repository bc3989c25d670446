import { pluginInfo, type PluginInfo } from '../compile/compile.js';
import { loadProject, type LoadOptions } from '../load/project.js';

/** The plugins a manifest loads: name, key, where from, version, load time, dependencies. */
export async function listPlugins(options: LoadOptions = {}): Promise<{ file: string; plugins: PluginInfo[] }> {
  const project = await loadProject(options);
  return { file: project.source.file, plugins: project.plugins.map(pluginInfo) };
}
