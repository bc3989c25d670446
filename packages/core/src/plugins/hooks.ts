/**
 * The one table of plugin hooks. It drives compilation (compile/compile.ts runs the hooks in this
 * order and merges each with its rule), gives `HookName`, tells the loader which fields of a plugin
 * object are hooks (load/loadPlugins.ts), and is what docs/plugins.md's hook table describes (a test
 * compares the two).
 *
 * - `kind`: how the hook runs across plugins. `sequential`: every plugin in dependency order, each
 *   seeing what earlier ones produced. (Room for `first`, where the first plugin that answers wins,
 *   and `parallel`, where plugins run independently, when a hook needs it.)
 * - `phase`: `check` hooks run for every plugin before any `build` hook, so all manifest problems
 *   come out in one run; a plugin's `resolve` and `api` run right after its own `check` passed.
 *   `live` hooks get AWS (`ctx.aws`, `ctx.signal`) and run only in commands that reach AWS
 *   (plugins/live.ts), after the template compiled.
 *   `deployed` hooks run after deploy, when the config files are written (plugins/deployed.ts).
 * - `merge`: how core combines what the plugins return; each rule is a function below.
 */
import { ErrorCode } from '../errors.js';
import { configKeyToOutputName } from '../compile/naming.js';
import type { CfnResource, CfnValue, ConfigOutput, ConfigOutputValue, DeployedOutput, StackOutput } from '../plugin.js';
import type { LoadedPlugin } from '../load/loadedPlugin.js';

export type HookKind = 'sequential' | 'first' | 'parallel';

export interface HookSpec {
  name: string;
  kind: HookKind;
  phase: 'check' | 'build' | 'live' | 'deployed';
  /** When it runs, as the docs say it. */
  runs: string;
  /** What the hook returns, as docs/plugins.md says it. */
  returns: string;
  /** The merge rule, as docs/plugins.md says it. */
  merge: string;
}

export const HOOKS = [
  {
    name: 'check',
    kind: 'sequential',
    phase: 'check',
    runs: 'every plugin, dependency order, before all build hooks',
    returns: 'nothing (reports)',
    merge: 'all reports of all plugins form one error (warnings kept beside it)',
  },
  {
    name: 'resolve',
    kind: 'sequential',
    phase: 'check',
    runs: "right after the plugin's own check passed",
    returns: "the plugin's model (any value)",
    merge: 'kept per plugin; its later hooks get it as third argument',
  },
  {
    name: 'api',
    kind: 'sequential',
    phase: 'check',
    runs: "right after the plugin's resolve",
    returns: 'any value but undefined',
    merge: 'kept per key; ctx.use(key) (only declared keys)',
  },
  {
    name: 'resources',
    kind: 'sequential',
    phase: 'build',
    runs: 'dependency order, after every check',
    returns: 'Record<LogicalId, CfnResource>',
    merge: 'union; a second owner of a logical id is COLLISION_RESOURCE',
  },
  {
    name: 'outputs',
    kind: 'sequential',
    phase: 'build',
    runs: "dependency order, after the plugin's resources",
    returns: 'Record<CONFIG_KEY, value>',
    merge: 'union; a second owner is COLLISION_CONFIG_OUTPUT; each becomes a stack Output',
  },
  {
    name: 'stackOutputs',
    kind: 'sequential',
    phase: 'build',
    runs: "dependency order, after the plugin's outputs",
    returns: 'Record<Name, {value}>',
    merge: 'union; collisions are COLLISION_STACK_OUTPUT',
  },
  {
    name: 'verify',
    kind: 'sequential',
    phase: 'live',
    runs: 'plan and apply (never offline), before the change set is created',
    returns: 'nothing (reports)',
    merge: 'all reports of all plugins form one error, at their manifest positions',
  },
  {
    name: 'deployedOutputs',
    kind: 'sequential',
    phase: 'deployed',
    runs: 'after deploy and in mfinfra outputs, dependency order',
    returns: 'Record<CONFIG_KEY, {value, secret?}>',
    merge: 'union with the config outputs; a key set twice is COLLISION_CONFIG_OUTPUT',
  },
] as const satisfies readonly HookSpec[];

export type HookName = (typeof HOOKS)[number]['name'];
export const HOOK_NAMES: readonly HookName[] = HOOKS.map((h) => h.name);
/** The hooks of the check phase: each plugin's run right after one another, before any build hook. */
export type CheckHookName = Extract<(typeof HOOKS)[number], { phase: 'check' }>['name'];

/** What a check-phase hook's value does to the compile. */
export interface KeepInput {
  key: string;
  value: unknown;
  /** Whether the hook reported a problem (ctx.report). */
  reported: boolean;
  models: Map<string, unknown>;
  apis: Map<string, unknown>;
}
/**
 * `go`: the plugin's next hook runs; `stop`: its remaining hooks and its dependents' checks are
 * skipped, with `wrong` saying what to return instead when the value was the plugin's bug.
 */
export type KeepOutcome = { go: true } | { go: false; wrong?: string };

/** The rule of each check-phase hook: what core keeps of its value, and whether the plugin goes on. */
export const KEEP: { [H in CheckHookName]: (input: KeepInput) => KeepOutcome } = {
  // Reports fail the check; the plugin's resolve and api do not run, nor its dependents' checks.
  check: ({ reported }) => (reported ? { go: false } : { go: true }),
  // The model, handed to the plugin's later hooks as their third argument.
  resolve: ({ key, value, models }) => {
    models.set(key, value);
    return { go: true };
  },
  // What ctx.use(key) returns; undefined would read as "not loaded".
  api: ({ key, value, apis }) => {
    if (value === undefined) return { go: false, wrong: 'return the value other plugins read with ctx.use(key), or remove the api hook' };
    apis.set(key, value);
    return { go: true };
  },
};

/** The hooks that return an object of named entries, merged by union. */
export type RecordHookName = Extract<(typeof HOOKS)[number], { phase: 'build' }>['name'];

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

/** Everything the build hooks produced so far, merged. */
export interface Merged {
  resources: Record<string, CfnResource>;
  /** logical id → manifest key of the plugin that contributed the resource */
  resourceOwners: Record<string, string>;
  configOutputs: ConfigOutputEntry[];
  stackOutputs: StackOutputEntry[];
  /** stack Output name → the plugin that owns it (config outputs and stack outputs share names) */
  outputOwner: Map<string, LoadedPlugin>;
}

export function emptyMerged(): Merged {
  return { resources: {}, resourceOwners: {}, configOutputs: [], stackOutputs: [], outputOwner: new Map() };
}

/** A merge problem: code, message and hint; core adds the plugin and its `plugins:` position. */
export interface MergeProblem {
  code: string;
  message: string;
  hint: string;
}

export interface MergeInput<T> {
  merged: Merged;
  lp: LoadedPlugin;
  value: Readonly<Record<string, T>>;
  /** The loaded plugin that owns a manifest key. */
  byKey: (key: string) => LoadedPlugin | undefined;
}

const CONFIG_KEY = /^[A-Z][A-Z0-9_]*$/;
const OUTPUT_NAME = /^[A-Za-z0-9]{1,255}$/;

/** `resources`: union by logical id; a second owner, or a resource without a Type, is refused. */
export function mergeResources({ merged, lp, value, byKey }: MergeInput<CfnResource>): MergeProblem[] {
  const problems: MergeProblem[] = [];
  for (const [id, resource] of Object.entries(value)) {
    const owner = merged.resourceOwners[id];
    if (owner !== undefined) {
      const other = byKey(owner)!;
      problems.push({
        code: ErrorCode.COLLISION_RESOURCE,
        message: `plugins ${other.plugin.name} and ${lp.plugin.name} both define the resource ${id}`,
        hint:
          other === lp
            ? 'a plugin returned the same logical id twice'
            : `logical ids must be unique; one of the two plugins must use ctx.naming.logicalId with its own prefix`,
      });
      continue;
    }
    if (!resource || typeof resource !== 'object' || typeof resource.Type !== 'string') {
      problems.push({
        code: ErrorCode.TEMPLATE_INVALID,
        message: `plugin ${lp.plugin.name} returned resource ${id} without a Type`,
        hint: 'every resource needs Type, e.g. "AWS::S3::Bucket"',
      });
      continue;
    }
    merged.resources[id] = resource;
    merged.resourceOwners[id] = lp.plugin.key;
  }
  return problems;
}

/**
 * Why `lp` may not set config key `key` (which `owner` already sets, if anyone): the key is not an
 * UPPER_SNAKE config key, or it would have two owners. `what` is the hook's value ("config output").
 */
function configKeyProblem(
  lp: LoadedPlugin,
  key: string,
  owner: string | undefined,
  what: 'config output' | 'deployed output',
  example: string,
): MergeProblem | undefined {
  if (!CONFIG_KEY.test(key)) {
    return {
      code: ErrorCode.TEMPLATE_INVALID,
      message: `plugin ${lp.plugin.name} returned ${what} "${key}", which is not an UPPER_SNAKE config key`,
      hint: `${what}s are Metaflow settings such as ${example}`,
    };
  }
  if (owner !== undefined) {
    return {
      code: ErrorCode.COLLISION_CONFIG_OUTPUT,
      message: `plugins ${owner} and ${lp.plugin.name} both set ${key}`,
      hint: 'one config key has one owner; disable the setting in one of the two plugins',
    };
  }
  return undefined;
}

/** `outputs`: union by config key; each value that is set becomes a stack Output. */
export function mergeConfigOutputs({ merged, lp, value }: MergeInput<ConfigOutputValue>): MergeProblem[] {
  const problems: MergeProblem[] = [];
  for (const [key, raw] of Object.entries(value)) {
    const { value: v, description } = normalizeConfigValue(raw);
    const owner = merged.configOutputs.find((c) => c.key === key)?.plugin;
    const problem = configKeyProblem(lp, key, owner, 'config output', 'METAFLOW_BATCH_JOB_QUEUE');
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (v === null || v === undefined || v === '') continue;
    const outputName = configKeyToOutputName(key);
    const literal = typeof v === 'object' ? undefined : String(v);
    merged.configOutputs.push({
      key,
      outputName,
      value: literal ?? v,
      literal,
      description,
      plugin: lp.plugin.name,
      pluginKey: lp.plugin.key,
    });
    merged.outputOwner.set(outputName, lp);
  }
  return problems;
}

/** `stackOutputs`: union by output name, shared with the config outputs' Output names. */
export function mergeStackOutputs({ merged, lp, value }: MergeInput<StackOutput>): MergeProblem[] {
  const problems: MergeProblem[] = [];
  for (const [name, out] of Object.entries(value)) {
    if (!OUTPUT_NAME.test(name)) {
      problems.push({
        code: ErrorCode.TEMPLATE_INVALID,
        message: `plugin ${lp.plugin.name} returned stack output "${name}"; output names must be alphanumeric`,
        hint: 'rename the output',
      });
      continue;
    }
    const other = merged.outputOwner.get(name);
    if (other) {
      problems.push({
        code: ErrorCode.COLLISION_STACK_OUTPUT,
        message: `plugins ${other.plugin.name} and ${lp.plugin.name} both define the stack output ${name}`,
        hint: 'rename one of the outputs',
      });
      continue;
    }
    merged.outputOwner.set(name, lp);
    merged.stackOutputs.push({ name, value: out.value, description: out.description, plugin: lp.plugin.name, pluginKey: lp.plugin.key });
  }
  return problems;
}

/** The merge rule of each build hook, and what its entries are called in errors. */
export const MERGE: { [H in RecordHookName]: { rule: (input: MergeInput<never>) => MergeProblem[]; entries: string } } = {
  resources: { rule: mergeResources as (input: MergeInput<never>) => MergeProblem[], entries: 'logical id → resource' },
  outputs: { rule: mergeConfigOutputs as (input: MergeInput<never>) => MergeProblem[], entries: 'METAFLOW_* key → value' },
  stackOutputs: {
    rule: mergeStackOutputs as (input: MergeInput<never>) => MergeProblem[],
    entries: 'output name → { value, description }',
  },
};

/** The config values read after deploy, merged with the compile-time ones. */
export interface DeployedMerged {
  /** METAFLOW_* key → value (compile-time literals and stack Outputs first). */
  values: Record<string, string>;
  /** Keys whose values are secrets. */
  secretKeys: Set<string>;
  /** config key → the plugin that set it after deploy */
  owners: Map<string, string>;
}

/**
 * `deployedOutputs`: union with the config values already known (compile-time config outputs and
 * other plugins' deployed values); a key set twice, or a value that is not a non-empty string, is refused.
 */
export function mergeDeployedOutputs(
  merged: DeployedMerged,
  lp: LoadedPlugin,
  value: Readonly<Record<string, DeployedOutput>>,
  compileTimeOwner: (key: string) => string | undefined,
): MergeProblem[] {
  const problems: MergeProblem[] = [];
  for (const [key, out] of Object.entries(value)) {
    const owner = compileTimeOwner(key) ?? merged.owners.get(key);
    const problem = configKeyProblem(lp, key, owner, 'deployed output', 'METAFLOW_SERVICE_AUTH_KEY');
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (!out || typeof out !== 'object' || typeof out.value !== 'string' || out.value === '') {
      problems.push({
        code: ErrorCode.PLUGIN_INVALID,
        message: `plugin ${lp.plugin.name}'s deployedOutputs hook returned ${key} without a value`,
        hint: 'return { value: "<non-empty string>", secret?: true } for each key, or leave the key out',
      });
      continue;
    }
    merged.values[key] = out.value;
    merged.owners.set(key, lp.plugin.name);
    if (out.secret === true) merged.secretKeys.add(key);
  }
  return problems;
}

/** A bare value, or `{ value, description }`. */
export function normalizeConfigValue(raw: ConfigOutputValue): ConfigOutput {
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
