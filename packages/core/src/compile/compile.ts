import { ErrorCode, MfinfraError, type Diagnostic } from '../errors.js';
import { createPluginContext, runHook, type ContextDeps } from '../plugins/context.js';
import type { LoadedPlugin } from '../plugins/load.js';
import type { CfnResource, CfnValue, ConfigOutput, ConfigOutputValue, StackInfo, StackOutput } from '../plugin.js';
import { loadProject, throwIfErrors, type LoadOptions, type Project, type ResolvedManifest } from '../project.js';
import { checkTemplate, type TemplateStats } from './checks.js';
import { configKeyToOutputName, createNaming } from './naming.js';
import { serializeTemplate, type CfnTemplate } from './template.js';
import { VERSION } from '../version.js';

/** One Metaflow config value and where it comes from. */
export interface ConfigOutputEntry {
  /** The config key, e.g. `METAFLOW_DATASTORE_SYSROOT_S3`. */
  key: string;
  /** The stack Output that carries it after deploy. */
  outputName: string;
  /** Literal or CloudFormation expression. */
  value: CfnValue;
  /** The literal value when known at compile time (no AWS needed). */
  literal?: string;
  description?: string;
  plugin: string;
  pluginKey: string;
}

export interface StackOutputEntry {
  name: string;
  value: CfnValue;
  description?: string;
  plugin: string;
  pluginKey: string;
}

export interface PluginInfo {
  name: string;
  key: string;
  spec: string;
  kind: LoadedPlugin['kind'];
  source: string;
  packageName?: string;
  version?: string;
  loadMs: number;
  requires: string[];
  uses: string[];
  description?: string;
}

export interface CompileOptions extends LoadOptions {
  format?: 'json' | 'yaml';
}

export interface CompileResult {
  file: string;
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

const CONFIG_KEY = /^[A-Z][A-Z0-9_]*$/;
/** The logical id of the resource core adds when no plugin contributes any. */
export const PLACEHOLDER_ID = 'MfinfraNoResourcesPlaceholder';
const OUTPUT_NAME = /^[A-Za-z0-9]{1,255}$/;

export function pluginInfo(lp: LoadedPlugin): PluginInfo {
  return {
    name: lp.plugin.name,
    key: lp.plugin.key,
    spec: lp.spec,
    kind: lp.kind,
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

  // 1. check, in dependency order, so all manifest problems come out in one run. A plugin whose check
  //    passed builds its api right away, so its dependents can read it (ctx.use) in their own check;
  //    the dependents of a plugin whose check failed are skipped (their checks would see a broken api).
  const failedChecks = new Set<string>();
  const errorCount = () => diagnostics.filter((d) => d.severity === 'error').length;
  for (const lp of plugins) {
    const { key } = lp.plugin;
    const dependsOn = [...(lp.plugin.requires ?? []), ...(lp.plugin.uses ?? [])];
    if (dependsOn.some((k) => failedChecks.has(k))) {
      failedChecks.add(key);
      continue;
    }
    const before = errorCount();
    if (lp.plugin.check) {
      const ctx = createPluginContext(lp, deps, { hook: 'check' });
      await runHook(lp, 'check', () => lp.plugin.check!(ctx, optionsOf(lp)));
    }
    if (errorCount() > before) {
      failedChecks.add(key);
      continue;
    }
    if (lp.plugin.api) {
      const ctx = createPluginContext(lp, deps, { hook: 'api' });
      const api = await runHook(lp, 'api', () => lp.plugin.api!(ctx, optionsOf(lp)));
      if (api === undefined) {
        diagnostics.push(
          returnedWrong(lp, 'api', api, 'return the value other plugins read with ctx.use(key), or remove the api hook', entryOf(lp)),
        );
        failedChecks.add(key);
        continue;
      }
      apis.set(key, api);
    }
  }
  throwIfErrors(source, diagnostics);

  // 2. resources, outputs, stackOutputs, in dependency order.
  const resources: Record<string, CfnResource> = {};
  const resourceOwners: Record<string, string> = {};
  const configOutputs: ConfigOutputEntry[] = [];
  const stackOutputs: StackOutputEntry[] = [];
  const outputOwner = new Map<string, LoadedPlugin>();
  const collisions: Diagnostic[] = [];
  const keyOf = new Map(plugins.map((lp) => [lp.plugin.key, lp]));
  const collide = (code: string, message: string, a: LoadedPlugin, hint: string) =>
    collisions.push({ code, message, severity: 'error', plugin: a.plugin.name, hint, ...entryOf(a) });
  /** The object a record hook returned; anything else (undefined, a list, ...) is the plugin's bug. */
  const record = <T>(lp: LoadedPlugin, hook: 'resources' | 'outputs' | 'stackOutputs', value: unknown, what: string): Record<string, T> => {
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, T>;
    collisions.push(returnedWrong(lp, hook, value, `return an object of ${what} ({} for none)`, entryOf(lp)));
    return {};
  };

  for (const lp of plugins) {
    const opts = optionsOf(lp);
    if (lp.plugin.resources) {
      const ctx = createPluginContext(lp, deps, { hook: 'resources' });
      const res = record<CfnResource>(
        lp,
        'resources',
        await runHook(lp, 'resources', () => lp.plugin.resources!(ctx, opts)),
        'logical id → resource',
      );
      for (const [id, resource] of Object.entries(res)) {
        const owner = resourceOwners[id];
        if (owner !== undefined) {
          const other = keyOf.get(owner)!;
          collide(
            ErrorCode.COLLISION_RESOURCE,
            `plugins ${other.plugin.name} and ${lp.plugin.name} both define the resource ${id}`,
            lp,
            other === lp
              ? 'a plugin returned the same logical id twice'
              : `logical ids must be unique; one of the two plugins must use ctx.naming.logicalId with its own prefix`,
          );
          continue;
        }
        if (!resource || typeof resource !== 'object' || typeof resource.Type !== 'string') {
          collide(
            ErrorCode.TEMPLATE_INVALID,
            `plugin ${lp.plugin.name} returned resource ${id} without a Type`,
            lp,
            'every resource needs Type, e.g. "AWS::S3::Bucket"',
          );
          continue;
        }
        resources[id] = resource;
        resourceOwners[id] = lp.plugin.key;
      }
    }
    if (lp.plugin.outputs) {
      const ctx = createPluginContext(lp, deps, { hook: 'outputs' });
      const outs = record<ConfigOutputValue>(
        lp,
        'outputs',
        await runHook(lp, 'outputs', () => lp.plugin.outputs!(ctx, opts)),
        'METAFLOW_* key → value',
      );
      for (const [key, raw] of Object.entries(outs)) {
        const { value, description } = normalizeConfigValue(raw);
        if (!CONFIG_KEY.test(key)) {
          collide(
            ErrorCode.TEMPLATE_INVALID,
            `plugin ${lp.plugin.name} returned config output "${key}", which is not an UPPER_SNAKE config key`,
            lp,
            'config outputs are Metaflow settings such as METAFLOW_BATCH_JOB_QUEUE',
          );
          continue;
        }
        const existing = configOutputs.find((c) => c.key === key);
        if (existing) {
          collide(
            ErrorCode.COLLISION_CONFIG_OUTPUT,
            `plugins ${existing.plugin} and ${lp.plugin.name} both set ${key}`,
            lp,
            'one config key has one owner; disable the setting in one of the two plugins',
          );
          continue;
        }
        if (value === null || value === undefined || value === '') continue;
        const outputName = configKeyToOutputName(key);
        const literal = typeof value === 'object' ? undefined : String(value);
        configOutputs.push({
          key,
          outputName,
          value: literal ?? value,
          literal,
          description,
          plugin: lp.plugin.name,
          pluginKey: lp.plugin.key,
        });
        outputOwner.set(outputName, lp);
      }
    }
    if (lp.plugin.stackOutputs) {
      const ctx = createPluginContext(lp, deps, { hook: 'stackOutputs' });
      const outs = record<StackOutput>(
        lp,
        'stackOutputs',
        await runHook(lp, 'stackOutputs', () => lp.plugin.stackOutputs!(ctx, opts)),
        'output name → { value, description }',
      );
      for (const [name, out] of Object.entries(outs)) {
        if (!OUTPUT_NAME.test(name)) {
          collide(
            ErrorCode.TEMPLATE_INVALID,
            `plugin ${lp.plugin.name} returned stack output "${name}"; output names must be alphanumeric`,
            lp,
            'rename the output',
          );
          continue;
        }
        const other = outputOwner.get(name);
        if (other) {
          collide(
            ErrorCode.COLLISION_STACK_OUTPUT,
            `plugins ${other.plugin.name} and ${lp.plugin.name} both define the stack output ${name}`,
            lp,
            'rename one of the outputs',
          );
          continue;
        }
        outputOwner.set(name, lp);
        stackOutputs.push({ name, value: out.value, description: out.description, plugin: lp.plugin.name, pluginKey: lp.plugin.key });
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
  return {
    file: source.file,
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

function normalizeConfigValue(raw: ConfigOutputValue): ConfigOutput {
  if (
    raw &&
    typeof raw === 'object' &&
    !Array.isArray(raw) &&
    'value' in raw &&
    Object.keys(raw).every((k) => k === 'value' || k === 'description')
  ) {
    return raw as ConfigOutput;
  }
  return { value: raw as CfnValue };
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
