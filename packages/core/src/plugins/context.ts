import { ErrorCode, fail, MfinfraError, PluginError, restate, type Diagnostic } from '../errors.js';
import { formatPath, type ManifestSource } from '../load/source.js';
import type { DiagnosticOptions, Naming, PluginContext, StackInfo } from '../plugin.js';
import type { HookName as TableHookName } from './hooks.js';
import type { LoadedPlugin } from '../load/loadedPlugin.js';

/** The hook a context is made for (names from the hook table, plugins/hooks.ts). */
export interface HookName {
  hook: TableHookName;
}

export interface ContextDeps {
  source: ManifestSource;
  stack: StackInfo;
  naming: Naming;
  manifest: Readonly<Record<string, unknown>>;
  loadedKeys: ReadonlySet<string>;
  apis: ReadonlyMap<string, unknown>;
  diagnostics: Diagnostic[];
}

/** The context one plugin's hooks receive. Diagnostics land in `deps.diagnostics`. */
export function createPluginContext(lp: LoadedPlugin, deps: ContextDeps, current: HookName): PluginContext {
  const { plugin } = lp;
  const declared = new Set([...(plugin.requires ?? []), ...(plugin.uses ?? [])]);
  const toDiagnostic = (message: string, severity: Diagnostic['severity'], options: DiagnosticOptions = {}): Diagnostic => {
    const path = options.rootPath ?? [plugin.key, ...(options.path ?? [])];
    const loc = deps.source.locate(path);
    return {
      code: severity === 'warning' ? ErrorCode.MANIFEST_WARNING : ErrorCode.MANIFEST_INVALID,
      pluginCode: options.code,
      severity,
      message,
      path: formatPath(path),
      loc,
      frame: deps.source.frame(loc),
      hint: options.hint,
      plugin: plugin.name,
      hook: current.hook,
    };
  };
  return {
    plugin: plugin.name,
    stack: deps.stack,
    naming: deps.naming,
    loaded: deps.loadedKeys,
    manifest: deps.manifest,
    use<T>(key: string): T {
      if (!declared.has(key)) {
        throw new PluginError(`read the api of "${key}" without declaring it in requires or uses`);
      }
      return deps.apis.get(key) as T;
    },
    report(message, options) {
      deps.diagnostics.push(toDiagnostic(message, 'error', options));
    },
    warn(message, options) {
      deps.diagnostics.push(toDiagnostic(message, 'warning', options));
    },
    error(message, options): never {
      const d = toDiagnostic(message, 'error', options);
      throw fail.MANIFEST_INVALID(message, {
        plugin: d.plugin,
        hook: d.hook,
        loc: d.loc,
        frame: d.frame,
        path: d.path,
        hint: d.hint,
        pluginCode: d.pluginCode,
        diagnostics: [d],
      });
    },
  };
}

/** Run one hook; any throw becomes an MfinfraError naming the plugin and hook. */
export async function runHook<T>(lp: LoadedPlugin, hook: HookName['hook'], fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (MfinfraError.is(e)) {
      if (e.plugin) throw e;
      throw restate(e, e.message, {
        plugin: lp.plugin.name,
        hook,
        hint: e.hint,
        loc: e.loc,
        frame: e.frame,
        path: e.path,
        diagnostics: e.diagnostics,
      });
    }
    const message = e instanceof Error ? e.message : String(e);
    const pluginCode =
      e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
    throw fail.PLUGIN_ERROR(`plugin ${lp.plugin.name} failed in its ${hook} hook: ${message}`, {
      plugin: lp.plugin.name,
      hook,
      pluginCode,
      hint: `this is a bug in the plugin (loaded from ${lp.source}); report it to its author, and run with --debug for the stack trace`,
      cause: e,
    });
  }
}
