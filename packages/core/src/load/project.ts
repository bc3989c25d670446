import path from 'node:path';
import { ErrorCode, problemsError, type Diagnostic } from '../errors.js';
import { selectFromSource } from '../environments/select.js';
import { findManifest } from './find.js';
import { formatPath, parseManifest, readManifest, summarizeDiagnostics, type ManifestSource } from './source.js';
import { applyDefaults, deepFreeze, isPlainObject } from './defaults.js';
import { applyItemDefaults } from './itemDefaults.js';
import { loadPlugins, type LoadedPlugin } from './loadPlugins.js';
import { orderPlugins } from './order.js';
import { FIRST_PARTY_PLUGINS } from './resolve.js';
import type { JsonSchema, Plugin } from '../plugin.js';
import { checkOutputs } from '../outputs/check.js';
import type { OutputsSection } from '../outputs/schema.js';
import { schemaOfPlugins } from './assemble.js';
import { rootDefaults } from './rootSchema.js';
import { pluginSchemaProblem } from './pluginSchema.js';
import { compileSchema, validateAgainstSchema } from './validate.js';

export interface LoadOptions {
  /** Manifest path (file or folder). When absent, searched from `cwd` upward. */
  manifest?: string;
  cwd?: string;
  /** Manifest text to use instead of reading the file (the path still names it in errors). */
  text?: string;
  /** Plugin objects to use for these `plugins:` entries instead of resolving them (tests, embedding). */
  inlinePlugins?: Readonly<Record<string, Plugin<any, any>>>;
  /**
   * The environment (`environments:` overlay) to load. Required when the manifest declares
   * environments (see loadEnvironments for all of them at once); refused when it declares none.
   */
  env?: string;
}

/** The resolved manifest section of core (after defaults). */
export interface ResolvedManifest {
  version: 1;
  stack: {
    name: string;
    region?: string;
    description?: string;
    tags: Record<string, string>;
    terminationProtection: boolean;
    notificationArns?: string[];
    roleArn?: string;
    templateBucket?: string;
    /** AWS profile to deploy with (the --profile flag overrides it). */
    profile?: string;
    /** The AWS account id the stack must be deployed to; credentials of another account are refused. */
    account?: string;
  };
  plugins: string[];
  outputs: {
    metaflowConfig: { enabled: boolean; profile?: string; path?: string };
    files: { template: string; path: string; mode?: string }[];
    envFile?: string | { path: string; format?: 'shell' | 'dotenv' };
  };
  [section: string]: unknown;
}

/** A manifest that parsed, whose plugins loaded, and that passed the schema (not yet the checks). */
export interface Project {
  source: ManifestSource;
  /** Plugins in run order (dependencies first). */
  plugins: LoadedPlugin[];
  schema: JsonSchema;
  /** Defaults applied, deep-frozen. */
  manifest: Readonly<ResolvedManifest>;
  /** The environment this project is (when the manifest declares environments). */
  environment?: { name: string; names: string[] };
}

/** Throw one MfinfraError carrying every error of `diagnostics` (sorted by position) and its warnings. */
export function throwIfErrors(source: { file: string }, diagnostics: Diagnostic[]): void {
  const errors = diagnostics
    .filter((d) => d.severity === 'error')
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) => (a.d.loc?.line ?? Infinity) - (b.d.loc?.line ?? Infinity) || (a.d.loc?.column ?? 0) - (b.d.loc?.column ?? 0) || a.i - b.i,
    )
    .map(({ d }) => d);
  if (errors.length === 0) return;
  const first = errors[0]!;
  throw problemsError(
    'invalid',
    errors.length === 1 ? first.code : ErrorCode.MANIFEST_INVALID,
    errors.length === 1 ? first.message : summarizeDiagnostics(source.file, errors),
    {
      diagnostics: errors,
      loc: first.loc,
      plugin: errors.length === 1 ? first.plugin : undefined,
      hook: errors.length === 1 ? first.hook : undefined,
      hint: errors.length === 1 ? first.hint : undefined,
      path: errors.length === 1 ? first.path : undefined,
      pluginCode: errors.length === 1 ? first.pluginCode : undefined,
      frame: errors.length === 1 ? first.frame : undefined,
      warnings: diagnostics.filter((d) => d.severity === 'warning'),
    },
  );
}

/** Find, parse, load plugins, validate and apply defaults. Throws one error carrying every problem. */
export async function loadProject(options: LoadOptions = {}): Promise<Project> {
  return loadProjectFrom(await readProjectSource(options), options);
}

/** The manifest file as parsed (before any environment is selected). */
export async function readProjectSource(options: LoadOptions): Promise<ManifestSource> {
  return options.text !== undefined
    ? parseManifest(options.text, path.resolve(options.cwd ?? process.cwd(), options.manifest ?? 'metaflow.infra.yaml'))
    : await readManifest(await findManifest(options.manifest, options.cwd));
}

/** {@link loadProject} over a manifest already read (environment `options.env` selected from it). */
export async function loadProjectFrom(fileSource: ManifestSource, options: LoadOptions = {}): Promise<Project> {
  const data = fileSource.data;
  if (!isPlainObject(data)) {
    const loc = fileSource.locate([]);
    throwIfErrors(fileSource, [
      {
        code: ErrorCode.MANIFEST_INVALID,
        severity: 'error',
        message:
          data === null || data === undefined
            ? 'the manifest is empty'
            : 'the manifest must be a mapping of sections (version, stack, plugins, ...)',
        loc,
        frame: fileSource.frame(loc),
        hint: 'start from `mfinfra init`, or see examples/minimal/metaflow.infra.yaml',
      },
    ]);
  }
  // With environments, everything below sees one environment's merged manifest (positions mapped).
  const { source, environment, problems: envProblems } = selectFromSource(fileSource, options.env);
  const record = source.data as Record<string, unknown>;
  const specs = Array.isArray(record.plugins) ? record.plugins.filter((p): p is string => typeof p === 'string' && p.length > 0) : [];
  const unique = [...new Set(specs)];

  const { loaded, problems: loadProblems, failed } = await loadPlugins(unique, source, options.inlinePlugins);
  // A plugin that needs one that failed to load is not told that one is missing from plugins.
  const { ordered, problems: orderProblems } = orderPlugins(loaded, source, new Set(failed.flatMap((f) => (f.key ? [f.key] : []))));

  const schema = schemaOfPlugins(ordered);
  const keyOwner = new Map(ordered.map((lp) => [lp.plugin.key, lp.plugin.name]));
  let validate;
  try {
    validate = compileSchema(schema);
  } catch (e) {
    // A plugin's schema fragment that ajv rejects is the plugin's bug: name the plugin, keyword and path.
    const schemaProblems: Diagnostic[] = [];
    for (const lp of ordered) {
      const problem = pluginSchemaProblem(lp.plugin.schema);
      if (!problem) continue;
      const loc = source.locate(['plugins', lp.index]);
      schemaProblems.push({
        code: ErrorCode.PLUGIN_INVALID,
        severity: 'error',
        message: `plugin ${lp.plugin.name} has an invalid schema: ${problem.message}`,
        hint: problem.hint,
        plugin: lp.plugin.name,
        loc,
        frame: source.frame(loc),
        path: `plugins[${lp.index}]`,
      });
    }
    if (schemaProblems.length === 0) throw e; // core's own schema: a bug in mfinfra, not in a plugin
    throwIfErrors(source, [...envProblems, ...loadProblems, ...orderProblems, ...schemaProblems]);
  }
  const unloadedPluginHint = (key: string): string | undefined =>
    Object.hasOwn(FIRST_PARTY_PLUGINS, key)
      ? `this section belongs to the ${key} plugin: add "${key}" to plugins, or remove the section`
      : undefined;
  // A plugin that failed to load leaves its own section unknown; don't also report that noise. When
  // the failed plugin's key is not known (its module did not import), no top-level key is reported
  // as unknown until the plugin loads.
  const failedKeys = new Set(failed.map((f) => f.key));
  const known = new Set(Object.keys(schema.properties as object));
  const schemaProblems = validateAgainstSchema(validate!, source, (key) => keyOwner.get(key), unloadedPluginHint).filter((d) => {
    const section = d.path?.split(/[.[]/)[0];
    return !(section && !known.has(section) && (failedKeys.has(section) || failedKeys.has(undefined)));
  });
  throwIfErrors(source, [...envProblems, ...loadProblems, ...orderProblems, ...schemaProblems]);
  // Where the config outputs go is known now: check it before any AWS call (and before compiling).
  throwIfErrors(source, await checkOutputs(source, record.outputs as OutputsSection | undefined));

  const resolved: Record<string, unknown> = applyDefaults(rootDefaults, { ...record });
  for (const lp of ordered) {
    resolved[lp.plugin.key] = applyItemDefaults(lp.plugin.itemDefaults, applyDefaults(lp.plugin.defaults ?? {}, record[lp.plugin.key]));
  }
  return { source, plugins: ordered, schema, manifest: deepFreeze(resolved as ResolvedManifest), ...(environment ? { environment } : {}) };
}

export { formatPath };
