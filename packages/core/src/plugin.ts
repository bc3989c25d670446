/**
 * The mfinfra plugin contract: the only file a plugin needs (`@mfinfra/core/plugin`).
 *
 * A plugin is a plain object typed by {@link Plugin}. It owns one section of the manifest
 * (`key`), declares the JSON Schema fragment for that section and its defaults, and returns data
 * from its hooks: CloudFormation resources, Metaflow config outputs, and an `api` other plugins may
 * read. Plugins never mutate a shared template; core merges what they return and rejects
 * collisions, naming both plugins.
 *
 * Hooks, in the order they run (core's hook table, `plugins/hooks.ts`; docs/plugins.md has the merge
 * rule of each): `check` (every plugin, dependency order, reports problems), `resolve` (right after
 * the plugin's own check passed: the section → the plugin's model, once), `api` (the value
 * `ctx.use(key)` gives others), then for each plugin in
 * dependency order `resources` (logical id → resource), `outputs` (`METAFLOW_*` key → value) and
 * `stackOutputs` (extra stack Outputs). After deploy, `deployedOutputs` reads config values that need
 * AWS (with `ctx.aws`). Every hook receives `(ctx, options)`.
 *
 * `check` runs for every plugin before any other hook, so all manifest problems are reported in one
 * run. `verify` is the live hook: at `plan`/`apply`, before the change set, it checks what the
 * manifest reuses against AWS through `ctx.aws`. Every hook call is wrapped: a throw becomes a `PLUGIN_ERROR` naming the plugin and hook.
 */

import type { CfnResource, CfnValue } from './compile/cfnTypes.js';
import type { JsonSchema } from './load/jsonSchema.js';

/** CloudFormation template types (a leaf module, so compile/ and reuse/ helpers need not import this file). */
export type { CfnResource, CfnRetentionPolicy, CfnValue } from './compile/cfnTypes.js';
/** The JSON Schema type of plugin schemas (a leaf module, see there). */
export type { JsonSchema } from './load/jsonSchema.js';

/** The plugin API version this build of core speaks. Core refuses plugins with another version. */
export const PLUGIN_API_VERSION = 1 as const;

/**
 * A config output: the value one `METAFLOW_*` setting takes in Metaflow's config file. A bare value
 * is a literal or a CloudFormation expression (`Ref`, `Fn::GetAtt`, `Fn::Sub`, …). Core turns every
 * config output into a stack Output so it can be read back after deploy.
 */
export type ConfigOutputValue = CfnValue | ConfigOutput;
export interface ConfigOutput {
  value: CfnValue;
  /** Shown in the stack Output's Description and in `mfinfra outputs`. */
  description?: string;
}

/** A stack Output that is not a Metaflow config key (e.g. an API key id used to fetch a secret). */
export interface StackOutput {
  value: CfnValue;
  description?: string;
}

/** A location inside the plugin's own manifest section, e.g. `['computeEnvironments', 0, 'maxVcpus']`. */
export type ManifestPath = ReadonlyArray<string | number>;

export interface DiagnosticOptions {
  /** Path inside this plugin's section (relative to its `key`); core turns it into file:line:column. */
  path?: ManifestPath;
  /** Path from the manifest root, when the problem is outside this plugin's section. */
  rootPath?: ManifestPath;
  /** What the user should do about it. */
  hint?: string;
  /** A stable UPPER_SNAKE code of the plugin's own (kept as `pluginCode`). */
  code?: string;
}

/** Stable names derived from the stack name: the same manifest always yields the same names. */
export interface Naming {
  /** The stack name from the manifest. */
  readonly stackName: string;
  /**
   * A CloudFormation logical id from parts: alphanumerics only, PascalCase, at most 255 characters.
   * `logicalId('batch', 'gpu-spot', 'ComputeEnvironment')` → `BatchGpuSpotComputeEnvironment`.
   */
  logicalId(...parts: string[]): string;
  /**
   * A physical resource name `<stack>-<parts>` in lowercase with hyphens, shortened with a stable
   * hash suffix when it exceeds `maxLength` (default 64).
   */
  physicalName(parts: string | string[], options?: { maxLength?: number; separator?: string }): string;
}

/** Read-only facts about the stack being compiled. */
export interface StackInfo {
  readonly name: string;
  readonly region?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What core hands every hook. Explicit first argument, never `this`. `Requires` and `Uses` are the
 * keys the plugin declared (see {@link PluginContext.use}).
 */
export interface PluginContext<Requires extends string = string, Uses extends string = string> {
  /** This plugin's name (as in errors). */
  readonly plugin: string;
  /** The stack facts from the manifest's `stack:` section. */
  readonly stack: StackInfo;
  /** Stable logical ids and physical names. */
  readonly naming: Naming;
  /** Keys of every plugin loaded for this manifest (e.g. to check whether `scheduling` is on). */
  readonly loaded: ReadonlySet<string>;
  /** The whole resolved manifest (defaults applied, frozen). Prefer your own `options`. */
  readonly manifest: Readonly<Record<string, unknown>>;
  /**
   * The `api` of another plugin, by its manifest key. The key must be in this plugin's `requires`
   * (always present) or `uses` (`undefined` when that plugin is not loaded); another key throws.
   * Works in every hook, `check` included: a plugin's dependencies have passed their own checks and
   * built their `api` before its `check` runs (when a dependency's check fails, the checks of the
   * plugins that depend on it are skipped).
   *
   * When {@link definePlugin} infers `requires`/`uses`, a `uses` key is typed `T | undefined` and,
   * when both are given, an undeclared key does not type-check.
   */
  use<T = unknown>(key: string extends Uses ? never : Uses): T | undefined;
  use<T = unknown>(key: Requires | (string extends Uses ? string : never)): T;
  /** Record a problem with the manifest and carry on, so every problem is reported in one run. */
  report(message: string, options?: DiagnosticOptions): void;
  /** Stop with an error at a manifest position. */
  error(message: string, options?: DiagnosticOptions): never;
  /** A warning shown to the user; compilation continues. */
  warn(message: string, options?: DiagnosticOptions): void;
}

type Awaitable<T> = T | Promise<T>;

/**
 * Any AWS SDK for JavaScript v3 client class (`S3Client`, `BatchClient`, `IAMClient`, ...). A plugin
 * depends on the SDK package of the client it uses and hands the class to {@link AwsAccess.client};
 * core never imports it for the plugin.
 */
export type AwsClientClass<C> = new (config: never) => C;

/**
 * Access to the AWS account a command runs against: the same credentials (`--profile`), region
 * (`--region`, the manifest's, `AWS_REGION`), endpoint (`--endpoint-url`, e.g. moto), retries and
 * request timeouts as core's own calls. Only the live hooks get it (never the offline ones).
 */
export interface AwsAccess {
  /** The region the stack is deployed to. */
  readonly region: string;
  /**
   * A client of the given SDK class, configured like core's clients; one per class per run.
   * `const batch = ctx.aws.client(BatchClient); await batch.send(new DescribeJobQueuesCommand({...}), { abortSignal: ctx.signal })`.
   */
  client<C>(Client: AwsClientClass<C>): C;
  /** The account id of the credentials in use (STS GetCallerIdentity, asked once). */
  accountId(): Promise<string>;
}

/**
 * The context of the live hooks (`verify`): everything {@link PluginContext} has, plus AWS.
 * `report`/`warn`/`error` still point at manifest positions, so a live problem is shown at the line
 * that named the resource, with what was found.
 */
export interface LiveContext<Requires extends string = string, Uses extends string = string> extends PluginContext<Requires, Uses> {
  readonly aws: AwsAccess;
  /** Fires on Ctrl-C: pass it to every call (`send(command, { abortSignal: ctx.signal })`). */
  readonly signal?: AbortSignal;
}

/** A config value a `deployedOutputs` hook read from the deployed account. */
export interface DeployedOutput {
  value: string;
  /** A secret (an API key, a password): written only to Metaflow's config file, redacted everywhere else. */
  secret?: boolean;
}

/**
 * What `deployedOutputs` receives: the live context (AWS access, the abort signal) plus the deployed
 * stack's Outputs.
 */
export interface DeployedContext<Requires extends string = string, Uses extends string = string> extends LiveContext<Requires, Uses> {
  /** The deployed stack's Outputs, OutputKey → OutputValue. */
  readonly stackOutputs: Readonly<Record<string, string>>;
  /**
   * The value of a stack Output this plugin declared (with `stackOutputs`). When the deployed stack
   * lacks it (it is older than the manifest), stops with `OUTPUT_MISSING`:
   * `stack <name> has no output <name> (<what>, from <plugin>)`.
   */
  stackOutput(name: string, what: string): string;
  /** Stop with `OUTPUT_MISSING`: something the deployment should hold is not there. */
  missing(message: string, hint?: string): never;
  /**
   * Make one AWS call: `send` gets the run's abort signal for the SDK's `abortSignal`; a failure reads
   * as core's AWS failures do (credentials, access denied, unreachable: `AWS refused to <what>: …`),
   * naming the plugin and hook. `what` says what the call does, e.g. `read API key abc123`.
   */
  awsCall<T>(what: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
  /** Aborted when the user interrupts the run (Ctrl-C). */
  readonly signal: AbortSignal;
}

/**
 * The plugin object. `Options` is the type of the plugin's manifest section after defaults;
 * `Api` is what it exposes to other plugins through `ctx.use(key)`; `Requires`/`Uses` are the keys
 * in `requires`/`uses` (inferred by {@link definePlugin}); `Model` is what `resolve` turns the
 * section into, which `api`, `resources`, `outputs` and `stackOutputs` receive as their third argument.
 *
 * Core checks the object when it loads it and refuses, naming the plugin: a field not listed here
 * (a misspelled hook such as `chek` or `resource`), a hook that is not a function, a `name` not in
 * `vendor:name` form, the reserved `mfinfra:` vendor outside `@mfinfra/*` packages, a key that is
 * not camelCase or belongs to core, and a schema that is not valid draft-07 (see {@link JsonSchema}).
 * The default export may also be a function returning the plugin object, or a promise of it.
 */
// Requires/Uses default to `any` so that `Plugin<any, any>` holds any plugin, whatever keys it declares.
export interface Plugin<Options = unknown, Api = unknown, Model = unknown, Requires extends string = any, Uses extends string = any> {
  /**
   * Namespaced name `vendor:name` in lowercase letters, digits and `-` (e.g. `acme:gpu-queue`); it
   * appears in every error the plugin causes. The vendor `mfinfra` is reserved for first-party plugins.
   */
  name: string;
  /** The plugin API version the plugin was written for. Must equal {@link PLUGIN_API_VERSION}. */
  apiVersion: typeof PLUGIN_API_VERSION;
  /** The plugin's own version (shown by `mfinfra plugins`). */
  version?: string;
  /** One line saying what the plugin adds. */
  description?: string;
  /** The manifest section this plugin owns, e.g. `batch`. One owner per key. */
  key: string;
  /** JSON Schema fragment for the section. Declare defaults in `defaults`, not in the schema. */
  schema: JsonSchema;
  /** Defaults deep-merged under the user's section after validation (arrays are replaced, not merged). */
  defaults?: DeepPartial<Options>;
  /**
   * Defaults for the items of arrays in the section, keyed by JSON pointer with `*` for every item:
   * `{ '/computeEnvironments/*': { maxVcpus: 64 } }`. Applied with `defaults` (after validation), so
   * `options`, `ctx.manifest` and `mfinfra validate --json` show the values that will be used; what
   * an item says wins (objects deep-merged, arrays and scalars replaced whole).
   */
  itemDefaults?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Whether the section may be omitted from the manifest (it then resolves to `defaults`). */
  optionalSection?: boolean;
  /**
   * The section `mfinfra init` writes for this plugin: YAML text starting at column 0 with the key,
   * ending with a newline, valid on its own, with a comment line saying what it is and the settings
   * people change first as comments. Without it, init writes a one-line comment naming the section.
   */
  starter?: string;
  /**
   * Keys of plugins the `starter` section needs beyond `requires` (a `uses` key the starter relies
   * on: batch's starter creates compute environments, which need network). `mfinfra init` adds them
   * beside the plugin, as it adds `requires`; validation still goes by `requires` and the checks.
   */
  starterRequires?: readonly string[];
  /** Keys of plugins this one needs. A missing one is a manifest error; they run first. */
  requires?: readonly Requires[];
  /** Keys of plugins this one reads when present. They run first when loaded. */
  uses?: readonly Uses[];
  /**
   * Semantic checks beyond the schema; report each problem with `ctx.report(msg, { path })`.
   * `ctx.use` works here for keys whose plugins passed their own checks.
   */
  check?(ctx: PluginContext<Requires, Uses>, options: Options): Awaitable<void>;
  /**
   * Turns the validated section into the plugin's model, once per compile, right after the plugin's
   * own `check` passed: normalized items, ids, derived facts. The later hooks receive it as their
   * third argument, so no hook rebuilds it. Without `resolve`, the third argument is `undefined`.
   */
  resolve?(ctx: PluginContext<Requires, Uses>, options: Options): Awaitable<Model>;
  /** The value other plugins read with `ctx.use(key)` (not `undefined`). */
  api?(ctx: PluginContext<Requires, Uses>, options: Options, model: Model): Awaitable<Api>;
  /** CloudFormation resources: an object of logical id → resource (`{}` for none; not a list). */
  resources?(ctx: PluginContext<Requires, Uses>, options: Options, model: Model): Awaitable<Record<string, CfnResource>>;
  /** Metaflow config outputs: an object of `METAFLOW_*` key → literal or CloudFormation expression. */
  outputs?(ctx: PluginContext<Requires, Uses>, options: Options, model: Model): Awaitable<Record<string, ConfigOutputValue>>;
  /** Stack Outputs that are not config keys (alphanumeric output names): an object, `{}` for none. */
  stackOutputs?(ctx: PluginContext<Requires, Uses>, options: Options, model: Model): Awaitable<Record<string, StackOutput>>;
  /**
   * Live checks against AWS, at `plan` and `apply` before the change set is created (never offline):
   * that the existing resources the section names exist and are fit for Metaflow. Report each
   * problem with `ctx.report(msg, { path })` at the manifest position that named the resource, and
   * say what was found. Runs for every plugin (dependency order) after the template compiled; all
   * reports of all plugins form one error. Throw only for what is not the manifest's fault (no
   * credentials, no network): that error stops the command as any AWS failure does.
   */
  verify?(ctx: LiveContext<Requires, Uses>, options: Options, model: Model): Awaitable<void>;
  /**
   * After deploy (and in `mfinfra outputs`): Metaflow config values that need an AWS read, such as an
   * API key's value, which must never appear in the template or the stack's Outputs. An object of
   * `METAFLOW_*` key → `{ value, secret? }` (`{}` for none); a key another plugin sets is refused.
   */
  deployedOutputs?(ctx: DeployedContext<Requires, Uses>, options: Options, model: Model): Awaitable<Record<string, DeployedOutput>>;
}

export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * Identity function that gives a plugin object its types. Left to inference, `requires` and `uses`
 * type `ctx.use`: a `uses` key gives `T | undefined`, an undeclared key is a type error. With
 * explicit `<Options, Api>` (or `<Options, Api, Model>`) every key types as present.
 */
export function definePlugin<
  Options = unknown,
  Api = unknown,
  Model = unknown,
  const Requires extends string = string,
  const Uses extends string = string,
>(plugin: Plugin<Options, Api, Model, Requires, Uses>): Plugin<Options, Api, Model, Requires, Uses> {
  return plugin;
}

// ---- CloudFormation expression helpers -------------------------------------------------------

/** `{ "Ref": logicalId }` */
export function ref(logicalId: string): { Ref: string } {
  return { Ref: logicalId };
}

/** `{ "Fn::GetAtt": [logicalId, attribute] }` */
export function getAtt(logicalId: string, attribute: string): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId, attribute] };
}

/** `{ "Fn::Sub": template }` or, with variables, `{ "Fn::Sub": [template, variables] }` */
export function sub(template: string, variables?: Record<string, CfnValue>): { 'Fn::Sub': string | [string, Record<string, CfnValue>] } {
  return variables ? { 'Fn::Sub': [template, variables] } : { 'Fn::Sub': template };
}

/** `{ "Fn::Join": [separator, values] }` */
export function join(separator: string, values: CfnValue[]): { 'Fn::Join': [string, CfnValue[]] } {
  return { 'Fn::Join': [separator, values] };
}

/** Turn `{ key: value }` into CloudFormation's `[{ Key, Value }]` tag list, sorted by key. */
export function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((Key) => ({ Key, Value: tags[Key] as string }));
}

export { nagValue, scannerExceptions, wildcardException, wildcardFindings, type ScannerException } from './compile/exceptions.js';
export { denyInsecureTransport, denyInsecureTransportTo, logBucketProperties, privateBucketProperties } from './compile/privateBucket.js';
export { LOG_DELIVERY_ACTIONS, stackArn } from './compile/arn.js';
export { policyDocument, serviceTrustPolicy, type ServiceTrustOptions } from './compile/iam.js';
export { logGroup, writeLogsStatement, LOG_RETENTION_DAYS, type LogGroupOptions } from './compile/logs.js';

/**
 * ECS on Fargate: `fargateMemoryChoices(cpu)` and `fargateSizeProblem(cpu, memory)` (for `check`),
 * `ecrRepository` / `ecrRepositoryArn` / `ecrPullStatements` (execution roles that pull from ECR),
 * `awsLogsConfiguration` and `containerEnvironment` (container definitions), `fargateTaskDefinition`
 * and `fargateService` (a rolling service behind a load balancer that rolls back a failed deployment).
 */
export {
  awsLogsConfiguration,
  containerEnvironment,
  ecrPullStatements,
  ecrRepository,
  ecrRepositoryArn,
  fargateMemoryChoices,
  fargateService,
  fargateSizeProblem,
  fargateTaskDefinition,
  type FargateService,
  type FargateTaskDefinition,
} from './compile/fargate.js';

// ---- helpers for plugins' own checks -----------------------------------------------------------

/**
 * The candidate closest to `input` (case-insensitive edit distance), when it is close enough to be a
 * likely typo: the same suggestion core makes for schema errors. `didYouMean('cpus', ['cpu'])` → `'cpu'`.
 */
export { didYouMean } from './load/didYouMean.js';

/**
 * IPv4 CIDR blocks (ipaddr.js underneath): `parseCidr('10.20.1.0/16')` →
 * `{ ok: false, problem: 'has host bits set', hint: 'did you mean 10.20.0.0/16?' }`; containment,
 * overlap and the sub-block arithmetic of subnet layouts.
 */
export { cidrContains, cidrOverlaps, cidrSize, formatCidr, parseCidr, subBlock, type Cidr, type CidrParse } from './compile/cidr.js';

// ---- helpers for plugins that reuse existing resources (`existing:` sections, `verify`) ---------

/**
 * ARN parsing and role checks for `existing:` sections: `parseArn`, `roleNameFromArn`,
 * `ROLE_ARN_PATTERN` and `roleArnSchema(description)` (for schemas), `trustedServices(policyDocument)` and
 * `roleProblem(expectedArn, getRoleAnswer, service)` (what is wrong with a role GetRole found).
 */
export {
  parseArn,
  reportRole,
  roleArnSchema,
  roleNameFromArn,
  roleOrUndefined,
  roleProblem,
  trustedServices,
  ROLE_ARN_PATTERN,
  type ArnParts,
  type ExistingRoleCheck,
  type FoundRole,
} from './reuse/arns.js';

/**
 * `keysRefusedWithExisting(keys, description)` (the schema rule refusing what would create something
 * beside `existing`), `reportMixedAccounts(ctx, accounts, { section, code, hint })` and
 * `undefinedIfNotFound(errorName, lookup)` (a live lookup's "not found" as `undefined`).
 */
export { keysRefusedWithExisting, reportMixedAccounts, undefinedIfNotFound, type MixedAccountsReport } from './reuse/existing.js';

/** What a plugin throws for a bug (reported as PLUGIN_ERROR naming the plugin and hook). */
export { PluginError } from './errors.js';
