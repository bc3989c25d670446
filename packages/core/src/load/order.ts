import { ErrorCode, type Diagnostic } from '../errors.js';
import type { ManifestSource } from './source.js';
import type { LoadedPlugin } from './loadPlugins.js';

/**
 * Order plugins so that each runs after the plugins it `requires` or `uses`. Ties keep manifest
 * order. A missing requirement or a cycle is a problem located at the plugin's manifest entry.
 */
export function orderPlugins(
  plugins: readonly LoadedPlugin[],
  source: ManifestSource,
  /** Keys of plugins that failed to load (already reported): not reported again as missing. */
  failedKeys: ReadonlySet<string> = new Set(),
): { ordered: LoadedPlugin[]; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const byKey = new Map(plugins.map((p) => [p.plugin.key, p]));
  const at = (lp: LoadedPlugin) => {
    const loc = source.locate(['plugins', lp.index]);
    return { loc, frame: source.frame(loc), path: `plugins[${lp.index}]`, plugin: lp.plugin.name };
  };
  const deps = new Map<LoadedPlugin, LoadedPlugin[]>();
  for (const lp of plugins) {
    const list: LoadedPlugin[] = [];
    for (const key of lp.plugin.requires ?? []) {
      const dep = byKey.get(key);
      if (!dep) {
        if (failedKeys.has(key)) continue;
        problems.push({
          code: ErrorCode.PLUGIN_REQUIREMENT_MISSING,
          severity: 'error',
          message: `plugin ${lp.plugin.name} needs the "${key}" plugin, which is not in plugins`,
          hint: `add ${key} to plugins (and a "${key}:" section), or remove ${lp.spec}`,
          ...at(lp),
        });
      } else list.push(dep);
    }
    for (const key of lp.plugin.uses ?? []) {
      const dep = byKey.get(key);
      if (dep) list.push(dep);
    }
    deps.set(lp, list);
  }

  const ordered: LoadedPlugin[] = [];
  const state = new Map<LoadedPlugin, 'visiting' | 'done'>();
  const visit = (lp: LoadedPlugin, trail: LoadedPlugin[]): void => {
    const s = state.get(lp);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(lp)), lp].map((p) => p.plugin.key);
      if (!problems.some((p) => p.code === ErrorCode.PLUGIN_CYCLE)) {
        problems.push({
          code: ErrorCode.PLUGIN_CYCLE,
          severity: 'error',
          message: `plugins depend on each other in a cycle: ${cycle.join(' → ')}`,
          hint: 'break the cycle: one of these plugins must stop requiring (or using) the next',
          ...at(lp),
        });
      }
      return;
    }
    state.set(lp, 'visiting');
    for (const d of deps.get(lp) ?? []) visit(d, [...trail, lp]);
    state.set(lp, 'done');
    ordered.push(lp);
  };
  for (const lp of [...plugins].sort((a, b) => a.index - b.index)) visit(lp, []);
  return { ordered, problems };
}
