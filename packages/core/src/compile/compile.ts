import { ErrorCode, MfinfraError, type Diagnostic } from '../errors.js';
import { createPluginContext, runHook, type ContextDeps } from '../plugins/context.js';
import { rememberLive } from '../plugins/live.js';
import type { CfnResource, StackInfo } from '../plugin.js';
import { emptyMerged, HOOKS, KEEP, MERGE, type ConfigOutputEntry, type StackOutputEntry } from '../plugins/hooks.js';
import { loadProject, throwIfErrors, type LoadedPlugin, type LoadOptions, type Project, type ResolvedManifest } from '../load/index.js';
import { checkTemplate } from './checks.js';
import { createNaming } from './naming.js';
import { serializeTemplate, type CfnTemplate } from './template.js';
import { VERSION } from '../version.js';
import type { CompileResult, PluginInfo } from './result.js';

export type { ConfigOutputEntry, StackOutputEntry } from '../plugins/hooks.js';
export type { CompileResult, PluginInfo } from './result.js';

export interface CompileOptions extends LoadOptions {
  format?: 'json' | 'yaml';
}

/** The logical id of the resource core adds when no plugin contributes any. */
export const PLACEHOLDER_ID = 'MfinfraNoResourcesPlaceholder';

export function pluginInfo(lp: LoadedPlugin): PluginInfo {
  return {
    name: lp.plugin.name,
    key: lp.plugin.key,
    spec: lp.spec,
    kind: lp.kind,
    resolvedFrom: lp.resolvedFrom,
    resolution: lp.resolution,
    source: lp.source,
    packageName: lp.packageName,
    version: lp.version,
    loadMs: Math.round(lp.loadMs * 10) / 10,
    requires: [...(lp.plugin.requires ?? [])],
    uses: [...(lp.plugin.uses ?? [])],
    description: lp.plugin.description,
  };
}

/** Run the plugins' hooks over a loaded project and build the template. */
export async function compileProject(project: Project, options: { format?: 'json' | 'yaml' } = {}): Promise<CompileResult> {
  const diagnostics: Diagnostic[] = [];
  try {
    return await runPlugins(project, options, diagnostics);
  } catch (e) {
    // Warnings reported before an error are shown with it, never hidden by it.
    const warnings = diagnostics.filter((d) => d.severity === 'warning');
    if (MfinfraError.is(e) && e.warnings.length === 0 && warnings.length) {
      (e as { warnings: Diagnostic[] }).warnings = warnings;
    }
    throw e;
  }
}

async function runPlugins(project: Project, options: { format?: 'json' | 'yaml' }, diagnostics: Diagnostic[]): Promise<CompileResult> {
  const { source, plugins, manifest } = project;
  const stack: StackInfo = Object.freeze({
    name: manifest.stack.name,
    region: manifest.stack.region,
    tags: manifest.stack.tags,
  });
  const apis = new Map<string, unknown>();
  /** Each plugin's model from its resolve hook, made once and handed to its later hooks. */
  const models = new Map<string, unknown>();
  const deps: ContextDeps = {
    source,
    stack,
    naming: createNaming(stack.name),
    manifest: manifest as Readonly<Record<string, unknown>>,
    loadedKeys: new Set(plugins.map((p) => p.plugin.key)),
    apis,
    diagnostics,
  };
  const optionsOf = (lp: LoadedPlugin) => manifest[lp.plugin.key];
  const entryOf = (lp: LoadedPlugin | undefined): Pick<Diagnostic, 'loc' | 'frame' | 'path'> => {
    if (!lp) return {};
    const loc = source.locate(['plugins', lp.index]);
    return { loc, frame: source.frame(loc), path: `plugins[${lp.index}]` };
  };

  // 1. the check phase, in dependency order, so all manifest problems come out in one run: each
  //    plugin's check-phase hooks (the table's order: check, resolve, api) run one after the other,
  //    so its dependents can read its api (ctx.use) in their own check. Each value is kept by its
  //    hook's rule (plugins/hooks.ts KEEP); a plugin that stops skips its dependents' checks (they
  //    would see a broken api).
  const stopped = new Set<string>();
  const errorCount = () => diagnostics.filter((d) => d.severity === 'error').length;
  const checkHooks = HOOKS.filter((h): h is Extract<(typeof HOOKS)[number], { phase: 'check' }> => h.phase === 'check');
  for (const lp of plugins) {
    const { key } = lp.plugin;
    const dependsOn = [...(lp.plugin.requires ?? []), ...(lp.plugin.uses ?? [])];
    if (dependsOn.some((k) => stopped.has(k))) {
      stopped.add(key);
      continue;
    }
    for (const { name } of checkHooks) {
      const hook = lp.plugin[name] as ((ctx: unknown, options: unknown, model: unknown) => unknown) | undefined;
      if (!hook) continue;
      const before = errorCount();
      const ctx = createPluginContext(lp, deps, { hook: name });
      const value = await runHook(lp, name, () => hook.call(lp.plugin, ctx, optionsOf(lp), models.get(key)));
      const outcome = KEEP[name]({ key, value, reported: errorCount() > before, models, apis });
      if (outcome.go) continue;
      if (outcome.wrong) diagnostics.push(returnedWrong(lp, name, value, outcome.wrong, entryOf(lp)));
      stopped.add(key);
      break;
    }
  }
  throwIfErrors(source, diagnostics);

  // 2. the build hooks, in the table's order for each plugin, plugins in dependency order; each
  //    result merged by its hook's rule (plugins/hooks.ts).
  const merged = emptyMerged();
  const { resources, resourceOwners, configOutputs, stackOutputs, outputOwner } = merged;
  const collisions: Diagnostic[] = [];
  const keyOf = new Map(plugins.map((lp) => [lp.plugin.key, lp]));
  const buildHooks = HOOKS.filter((h): h is Extract<(typeof HOOKS)[number], { phase: 'build' }> => h.phase === 'build');
  for (const lp of plugins) {
    for (const { name } of buildHooks) {
      const hook = lp.plugin[name] as ((ctx: unknown, options: unknown, model: unknown) => unknown) | undefined;
      if (!hook) continue;
      const ctx = createPluginContext(lp, deps, { hook: name });
      const value = await runHook(lp, name, () => hook.call(lp.plugin, ctx, optionsOf(lp), models.get(lp.plugin.key)));
      const { rule, entries } = MERGE[name];
      // The object a record hook returned; anything else (undefined, a list, ...) is the plugin's bug.
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        collisions.push(returnedWrong(lp, name, value, `return an object of ${entries} ({} for none)`, entryOf(lp)));
        continue;
      }
      for (const p of rule({ merged, lp, value: value as Record<string, never>, byKey: (k) => keyOf.get(k) })) {
        collisions.push({ code: p.code, message: p.message, severity: 'error', plugin: lp.plugin.name, hint: p.hint, ...entryOf(lp) });
      }
    }
  }
  throwIfErrors(source, [...diagnostics, ...collisions]);

  if (Object.keys(resources).length === 0) {
    // CloudFormation refuses a template without resources, yet a deployment that only reuses existing
    // infrastructure (an existing bucket and VPC) is legitimate: its config outputs are the point. A
    // wait-condition handle creates nothing in the account (the same trick CDK uses for empty stacks).
    resources[PLACEHOLDER_ID] = { Type: 'AWS::CloudFormation::WaitConditionHandle' };
  }
  const template = buildTemplate(manifest, resources, resourceOwners, configOutputs, stackOutputs);
  const format = options.format ?? 'json';
  const jsonBody = await serializeTemplate(template, 'json');
  const { problems, stats } = checkTemplate(
    template,
    jsonBody,
    (id) => keyOf.get(resourceOwners[id] ?? '')?.plugin.name,
    (name) => outputOwner.get(name)?.plugin.name,
  );
  const byName = new Map(plugins.map((lp) => [lp.plugin.name, lp]));
  throwIfErrors(
    source,
    problems.map((p) => ({ ...entryOf(p.plugin ? byName.get(p.plugin) : undefined), ...p })),
  );
  const body = format === 'json' ? jsonBody : await serializeTemplate(template, format);
  const result: CompileResult = {
    file: source.file,
    ...(project.environment ? { environment: project.environment.name } : {}),
    stackName: stack.name,
    region: stack.region,
    manifest,
    plugins: plugins.map(pluginInfo),
    template,
    body,
    format,
    stats,
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
    configOutputs: configOutputs.sort((a, b) => a.key.localeCompare(b.key)),
    stackOutputs: stackOutputs.sort((a, b) => a.name.localeCompare(b.name)),
    resourceOwners: sortKeys(resourceOwners),
  };
  // The live hooks (verify, at plan/apply) run later on this result, with the same plugins and models.
  const { diagnostics: _d, ...liveDeps } = deps;
  rememberLive(result, { plugins, deps: liveDeps, models });
  return result;
}

/** Find, load, validate and compile a manifest to one CloudFormation template. Prints nothing. */
export async function compile(options: CompileOptions = {}): Promise<CompileResult> {
  const project = await loadProject(options);
  return compileProject(project, { format: options.format });
}

/** The problem of a hook that returned the wrong kind of value: a bug in the plugin. */
function returnedWrong(
  lp: LoadedPlugin,
  hook: string,
  value: unknown,
  hint: string,
  at: Pick<Diagnostic, 'loc' | 'frame' | 'path'>,
): Diagnostic {
  const what = value === undefined ? 'undefined' : value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
  return {
    code: ErrorCode.PLUGIN_INVALID,
    severity: 'error',
    message: `plugin ${lp.plugin.name}'s ${hook} hook returned ${what}`,
    plugin: lp.plugin.name,
    hook,
    hint: `${hint}; this is a bug in the plugin (loaded from ${lp.source})`,
    ...at,
  };
}

function sortKeys<T>(obj: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k]!;
  return out;
}

function buildTemplate(
  manifest: Readonly<ResolvedManifest>,
  resources: Record<string, CfnResource>,
  owners: Record<string, string>,
  configOutputs: ConfigOutputEntry[],
  stackOutputs: StackOutputEntry[],
): CfnTemplate {
  const outputs: CfnTemplate['Outputs'] = {};
  for (const c of configOutputs) {
    outputs[c.outputName] = { Description: `${c.key}${c.description ? ` - ${c.description}` : ''} (${c.plugin})`, Value: c.value };
  }
  for (const s of stackOutputs) {
    outputs[s.name] = { Description: `${s.description ?? s.name} (${s.plugin})`, Value: s.value };
  }
  const stack = manifest.stack;
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: stack.description ?? `Metaflow infrastructure for stack ${stack.name}, compiled by mfinfra from its manifest`,
    Metadata: {
      mfinfra: {
        generator: `mfinfra ${VERSION}`,
        stack: stack.name,
        resources: sortKeys(owners),
        config: Object.fromEntries(configOutputs.map((c) => [c.key, c.outputName]).sort(([a], [b]) => a!.localeCompare(b!))),
      },
    },
    Resources: sortKeys(resources),
    Outputs: sortKeys(outputs),
  };
}
