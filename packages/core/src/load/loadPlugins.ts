import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ErrorCode, type Diagnostic } from '../errors.js';
import type { ManifestSource } from './source.js';
import { PLUGIN_API_VERSION, type Plugin } from '../plugin.js';
import type { LoadedPlugin } from './loadedPlugin.js';
import { HOOK_NAMES } from '../plugins/hooks.js';
import { itemDefaultsProblem } from './itemDefaults.js';
import { didYouMean } from './didYouMean.js';
import { CORE_KEYS } from './rootSchema.js';
import { FIRST_PARTY_PLUGINS, isLocalSpec, notInstalledHint, resolvePluginSpec } from './resolve.js';

export type { LoadedPlugin } from './loadedPlugin.js';

/** A plugin that did not load, and the manifest key it would own when that is known. */
export interface FailedPlugin {
  spec: string;
  index: number;
  /** The key the plugin object declares, or the first-party short name; absent when unknown. */
  key?: string;
}

/** Every field of the plugin object (see `Plugin` in plugin.ts); anything else is a typo. */
const FIELDS: readonly string[] = [
  'name',
  'apiVersion',
  'version',
  'description',
  'key',
  'schema',
  'defaults',
  'itemDefaults',
  'optionalSection',
  'requires',
  'uses',
  'starter',
  'starterRequires',
  ...HOOK_NAMES,
];
const KEY_PATTERN = /^[a-z][a-zA-Z0-9]*$/;
const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$/;
/** The vendor of first-party plugins, allowed only for `@mfinfra/*` packages (and inline plugins). */
const RESERVED_VENDOR = 'mfinfra:';

/** A plugin spec as messages show it: a hostile 40,000-character entry must not make a 40 KB error. */
const SHOWN_SPEC = 120;
function shown(spec: string): string {
  return spec.length <= SHOWN_SPEC ? spec : `${spec.slice(0, SHOWN_SPEC)}… (${spec.length} characters)`;
}

/**
 * Node's own `import()`. The bundled CLI is one CommonJS file (so V8 can cache its compiled code),
 * where a bundler would turn `import()` into `require()`, which cannot load ES modules on Node 20:
 * the CLI's launcher hands its real `import` in as `globalThis.__mfinfraImport`.
 */
const nativeImport = (url: string): Promise<unknown> =>
  (globalThis as { __mfinfraImport?: (u: string) => Promise<unknown> }).__mfinfraImport?.(url) ?? import(url);

/** Import a module; TypeScript files go through jiti (loaded only when needed). */
async function importModule(file: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?tsx?$/.test(file)) {
    const { createJiti } = await import('jiti');
    const jiti = createJiti(import.meta.url, { interopDefault: false, moduleCache: false });
    return (await jiti.import(file)) as Record<string, unknown>;
  }
  return (await nativeImport(pathToFileURL(file).href)) as Record<string, unknown>;
}

/**
 * Load every plugin the manifest lists. Problems are collected (not thrown) so the user sees all of
 * them in one run: not found, failed import, no default export, wrong apiVersion, bad shape,
 * duplicate names or keys.
 */
export async function loadPlugins(
  specs: readonly string[],
  source: ManifestSource,
  inline: Readonly<Record<string, unknown>> = {},
): Promise<{ loaded: LoadedPlugin[]; problems: Diagnostic[]; failed: FailedPlugin[] }> {
  const loaded: LoadedPlugin[] = [];
  const problems: Diagnostic[] = [];
  const failed: FailedPlugin[] = [];
  const fail = (index: number, spec: string, key?: unknown) =>
    failed.push({
      spec,
      index,
      key: typeof key === 'string' ? key : Object.hasOwn(FIRST_PARTY_PLUGINS, spec) ? spec : undefined,
    });
  const at = (index: number) => {
    const loc = source.locate(['plugins', index]);
    return { loc, frame: source.frame(loc), path: `plugins[${index}]` };
  };

  for (const [index, spec] of specs.entries()) {
    const started = performance.now();
    const resolved = Object.hasOwn(inline, spec)
      ? {
          spec,
          kind: 'local' as const,
          resolvedFrom: 'path' as const,
          reason: 'given inline (programmatic API)',
          entry: `(inline plugin "${shown(spec)}")`,
          inline: inline[spec],
        }
      : resolvePluginSpec(spec, source.dir);
    if (!resolved) {
      const firstParty = FIRST_PARTY_PLUGINS[spec];
      problems.push({
        code: ErrorCode.PLUGIN_NOT_FOUND,
        severity: 'error',
        message: isLocalSpec(spec)
          ? `plugin file not found: ${shown(spec)}`
          : `plugin "${shown(spec)}" is not installed${firstParty ? ` (package ${firstParty})` : ''}`,
        hint: isLocalSpec(spec)
          ? `check the path; it is relative to the manifest's folder (${source.dir})`
          : notInstalledHint(spec, didYouMean(spec, Object.keys(FIRST_PARTY_PLUGINS))),
        ...at(index),
      });
      fail(index, spec);
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = 'inline' in resolved ? { default: resolved.inline } : await importModule(resolved.entry);
    } catch (e) {
      problems.push({
        code: ErrorCode.PLUGIN_LOAD_FAILED,
        severity: 'error',
        message: `plugin "${shown(spec)}" failed to load from ${resolved.entry}: ${firstLine(e)}`,
        hint: 'fix the module so it imports cleanly (run it with node to see the full error), or remove it from plugins',
        ...at(index),
      });
      fail(index, spec);
      continue;
    }
    let candidate = mod.default ?? mod.plugin;
    // A factory (sync or async) returning the plugin object, or a promise of the object.
    try {
      if (typeof candidate === 'function') candidate = (candidate as () => unknown)();
      candidate = await candidate;
    } catch (e) {
      problems.push({
        code: ErrorCode.PLUGIN_LOAD_FAILED,
        severity: 'error',
        message: `plugin factory exported by "${shown(spec)}" threw: ${firstLine(e)}`,
        hint: 'the default export is called (and awaited) once to get the plugin object; fix what it throws',
        ...at(index),
      });
      fail(index, spec);
      continue;
    }
    const isFirstPartyPackage =
      resolved.kind === 'first-party' || ('packageName' in resolved && !!resolved.packageName?.startsWith('@mfinfra/'));
    const shapeProblem = checkShape(candidate, spec, { reservedVendorAllowed: isFirstPartyPackage || 'inline' in resolved });
    if (shapeProblem) {
      // Only the first shape problem of a plugin is reported: the others are often its consequences.
      problems.push({ severity: 'error', ...shapeProblem, ...at(index) });
      fail(index, spec, (candidate as { key?: unknown } | undefined)?.key);
      continue;
    }
    const plugin = candidate as Plugin<unknown, unknown>;
    const loadMs = performance.now() - started;
    loaded.push({
      plugin,
      spec,
      index,
      kind: resolved.kind,
      resolvedFrom: resolved.resolvedFrom,
      resolution: resolved.reason,
      source: resolved.entry,
      packageName: 'packageName' in resolved ? resolved.packageName : undefined,
      version: plugin.version ?? ('packageVersion' in resolved ? resolved.packageVersion : undefined),
      loadMs,
    });
  }

  // Duplicate names and keys: name both plugins.
  const byName = new Map<string, LoadedPlugin>();
  const byKey = new Map<string, LoadedPlugin>();
  for (const lp of loaded) {
    const sameName = byName.get(lp.plugin.name);
    if (sameName) {
      problems.push({
        code: ErrorCode.COLLISION_PLUGIN_NAME,
        severity: 'error',
        message: `two plugins are named "${lp.plugin.name}": "${sameName.spec}" and "${lp.spec}"`,
        hint: 'list each plugin once; a third-party plugin must use a name of its own',
        ...at(lp.index),
      });
      continue;
    }
    byName.set(lp.plugin.name, lp);
    const sameKey = byKey.get(lp.plugin.key);
    if (sameKey) {
      problems.push({
        code: ErrorCode.COLLISION_MANIFEST_KEY,
        severity: 'error',
        message: `plugins ${sameKey.plugin.name} ("${sameKey.spec}") and ${lp.plugin.name} ("${lp.spec}") both claim the manifest key "${lp.plugin.key}"`,
        hint: 'a manifest section has exactly one owner; remove one of the two plugins',
        ...at(lp.index),
      });
      continue;
    }
    byKey.set(lp.plugin.key, lp);
  }
  const dropped = new Set(problems.map((p) => p.path));
  for (const lp of loaded) if (dropped.has(`plugins[${lp.index}]`)) fail(lp.index, lp.spec, lp.plugin.key);
  return { loaded: loaded.filter((lp) => !dropped.has(`plugins[${lp.index}]`)), problems, failed };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}

function checkShape(
  candidate: unknown,
  spec: string,
  options: { reservedVendorAllowed: boolean },
): { code: string; message: string; hint: string; plugin?: string } | undefined {
  const invalid = (message: string, hint: string, plugin?: string) => ({ code: ErrorCode.PLUGIN_INVALID, message, hint, plugin });
  if (!candidate || typeof candidate !== 'object' || Array.isArray(candidate)) {
    return invalid(
      `module "${shown(spec)}" has no plugin as its default export`,
      'export the plugin object: `export default definePlugin({ ... })` (from @mfinfra/core/plugin)',
    );
  }
  const p = candidate as Record<string, unknown>;
  if (p.apiVersion !== PLUGIN_API_VERSION) {
    return {
      code: ErrorCode.PLUGIN_API_VERSION,
      message: `plugin "${shown(spec)}" was written for plugin API version ${JSON.stringify(p.apiVersion)}; this mfinfra speaks version ${PLUGIN_API_VERSION}`,
      hint:
        typeof p.apiVersion === 'number' && p.apiVersion > PLUGIN_API_VERSION
          ? 'upgrade @mfinfra/core, or use an older version of the plugin'
          : 'upgrade the plugin to a version made for this mfinfra (set apiVersion: 1)',
    };
  }
  if (typeof p.name !== 'string' || !p.name) return invalid(`plugin "${shown(spec)}" has no name`, 'set name, e.g. "acme:gpu-compute"');
  if (!NAME_PATTERN.test(p.name)) {
    return invalid(
      `plugin "${shown(spec)}" is named ${JSON.stringify(p.name)}, which is not in vendor:name form`,
      'name it "<vendor>:<name>" in lowercase letters, digits and "-", e.g. "acme:gpu-compute"',
    );
  }
  const name = p.name;
  if (name.startsWith(RESERVED_VENDOR) && !options.reservedVendorAllowed) {
    return invalid(
      `plugin "${shown(spec)}" is named "${name}", but the vendor "mfinfra" is reserved for first-party plugins (@mfinfra/*)`,
      `name it after your organisation, e.g. "acme:${name.slice(RESERVED_VENDOR.length)}"`,
      name,
    );
  }
  if (typeof p.key !== 'string' || !KEY_PATTERN.test(p.key)) {
    return invalid(
      `plugin ${name} has an invalid key ${JSON.stringify(p.key)}`,
      'key must be camelCase letters and digits, e.g. "gpuCompute"',
      name,
    );
  }
  if ((CORE_KEYS as readonly string[]).includes(p.key)) {
    return {
      code: ErrorCode.COLLISION_MANIFEST_KEY,
      message: `plugin ${name} claims the manifest key "${p.key}", which belongs to mfinfra core`,
      hint: `choose another key; core owns ${CORE_KEYS.join(', ')}`,
      plugin: name,
    };
  }
  if (!p.schema || typeof p.schema !== 'object' || Array.isArray(p.schema))
    return invalid(`plugin ${name} has no schema`, 'give the JSON Schema (draft-07) of its manifest section', name);
  for (const field of Object.keys(p)) {
    if (FIELDS.includes(field)) continue;
    const suggestion = didYouMean(field, FIELDS);
    return invalid(
      `plugin ${name} has an unknown field "${field}"`,
      suggestion
        ? `did you mean "${suggestion}"?`
        : `a plugin has only these fields: ${FIELDS.join(', ')}; keep other data in a closure or module scope`,
      name,
    );
  }
  for (const hook of HOOK_NAMES) {
    if (p[hook] !== undefined && typeof p[hook] !== 'function') {
      return invalid(
        `plugin ${name}: hook "${hook}" is ${describe(p[hook])}, not a function`,
        `make ${hook} a function (ctx, options) => ..., or remove it`,
        name,
      );
    }
  }
  const itemDefaults = p.itemDefaults === undefined ? undefined : itemDefaultsProblem(p.itemDefaults);
  if (itemDefaults) return invalid(`plugin ${name}: ${itemDefaults}`, "e.g. itemDefaults: { '/queues/*': { priority: 1 } }", name);
  if (p.starter !== undefined && (typeof p.starter !== 'string' || !p.starter.endsWith('\n'))) {
    return invalid(
      `plugin ${name}: starter must be the YAML text of its section, ending with a newline`,
      `e.g. starter: '# what the section is for\\n${p.key}:\\n  setting: value\\n'`,
      name,
    );
  }
  for (const field of ['requires', 'uses', 'starterRequires'] as const) {
    if (p[field] !== undefined && (!Array.isArray(p[field]) || !(p[field] as unknown[]).every((x) => typeof x === 'string'))) {
      return invalid(`plugin ${name}: ${field} must be a list of plugin keys`, `e.g. ${field}: ['datastore']`, name);
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
