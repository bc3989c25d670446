/**
 * One error shape for everything mfinfra reports. Errors are data: a stable UPPER_SNAKE `code`, a
 * lowercase `message` that says what is wrong and what to do, and optional plugin / hook / manifest
 * position / code frame / hint. Several manifest problems travel together as `diagnostics` of one
 * `MANIFEST_INVALID` error so a user sees all of them in one run.
 *
 * Every code is in one registry (`ERROR_CODES`) with its kind (usage, invalid, gate, runtime,
 * aborted); the kind decides the exit code. Core makes errors through the registry's factories
 * (`throw fail.CONFIG_NOT_FOUND(message, { hint })`), never with a literal code or exit code.
 *
 * Brand checks use a global symbol rather than `instanceof`, so an error thrown by a plugin that
 * bundles its own copy of core is still recognised.
 */

const BRAND = Symbol.for('@mfinfra/core.MfinfraError');

/** Process exit codes. Documented in the README; stable. */
export const ExitCode = {
  /** Success (for `plan`: no changes pending). */
  OK: 0,
  /** Something failed at run time (AWS call, file system, unexpected bug). */
  FAILURE: 1,
  /** The command line was wrong (unknown flag, missing argument). */
  USAGE: 2,
  /** The manifest, a plugin or a template is invalid; nothing was changed. */
  INVALID: 3,
  /** A safety gate refused the change (stateful replacement, broadening without approval). */
  BLOCKED: 4,
  /** `plan`: the plan succeeded and changes are pending. */
  CHANGES_PENDING: 5,
  /** The user aborted (Ctrl-C, or answered no). */
  ABORTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A position in a file: 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One problem, with everything needed to show it well. */
export interface Diagnostic {
  code: string;
  message: string;
  severity: 'error' | 'warning';
  /** Path from the manifest root, e.g. `batch.computeEnvironments[0].maxVcpus`. */
  path?: string;
  loc?: SourceLocation;
  frame?: string;
  hint?: string;
  plugin?: string;
  hook?: string;
  /** The plugin's own code, when a plugin gave one. */
  pluginCode?: string;
}

/**
 * What kind of failure an error is. The kind, never the throw site, decides the exit code, so a
 * code means the same exit everywhere (README's exit-code table lists one row per kind).
 */
export const ERROR_KINDS = {
  runtime: { exitCode: ExitCode.FAILURE, means: 'a run-time failure' },
  usage: { exitCode: ExitCode.USAGE, means: 'a usage error' },
  invalid: { exitCode: ExitCode.INVALID, means: 'the manifest, a plugin or the template is invalid' },
  gate: { exitCode: ExitCode.BLOCKED, means: 'refused by a safety gate' },
  aborted: { exitCode: ExitCode.ABORTED, means: 'aborted' },
} as const satisfies Record<string, { exitCode: ExitCodeValue; means: string }>;
export type ErrorKind = keyof typeof ERROR_KINDS;

interface CodeSpec {
  /** The kind an error with this code has. */
  kind: ErrorKind;
  /**
   * Other kinds a throw site may give this code, when the same problem is the user's command line
   * or a run-time condition there (e.g. an unreadable file named by `--against` is `usage`).
   */
  also?: readonly ErrorKind[];
  /** What the code means (for readers of this table and of `--json` output). */
  means: string;
}

/**
 * Every code mfinfra raises, with its kind. One table: core's compiler, loader, deploy and outputs
 * codes alike. Plugins' own codes are kept as `pluginCode` beside one of these.
 */
export const ERROR_CODES = {
  ABORTED: { kind: 'aborted', means: 'the user declined, or pressed Ctrl-C' },
  ACCOUNT_MISMATCH: {
    kind: 'usage',
    also: ['runtime'],
    means:
      'the credentials belong to another account than the one the stack (environment) is pinned to (runtime: the account could not be read)',
  },
  ALIAS_LIMIT: { kind: 'invalid', means: 'the manifest expands too many YAML aliases' },
  AWS_ACCESS_DENIED: { kind: 'runtime', means: 'the credentials are valid but not allowed to do this' },
  AWS_CREDENTIALS: { kind: 'runtime', means: 'no credentials, or they expired / were rejected' },
  AWS_ERROR: { kind: 'runtime', means: 'any other error AWS answered with' },
  AWS_UNREACHABLE: { kind: 'runtime', means: 'the endpoint could not be reached (network, wrong --endpoint-url)' },
  CHANGE_SET_FAILED: { kind: 'runtime', means: 'CloudFormation could not create the change set (its StatusReason says why)' },
  CHANGE_SET_STALE: { kind: 'runtime', means: '--change-set NAME is missing, not executable, or no longer matches the manifest' },
  CLEANUP_FAILED: { kind: 'runtime', means: 'a change set or placeholder stack this run made could not be deleted' },
  COLLISION_CONFIG_OUTPUT: { kind: 'invalid', means: 'two plugins produce the same config key' },
  COLLISION_MANIFEST_KEY: { kind: 'invalid', means: 'two plugins own the same manifest section, or a plugin claims a core key' },
  COLLISION_PLUGIN_NAME: { kind: 'invalid', means: 'two loaded plugins have the same name' },
  COLLISION_RESOURCE: { kind: 'invalid', means: 'two plugins produce the same logical id' },
  COLLISION_STACK_OUTPUT: { kind: 'invalid', means: 'two plugins produce the same stack Output' },
  CONFIG_NOT_FOUND: { kind: 'invalid', means: 'no manifest where one was named or searched for' },
  CONFIRMATION_REQUIRED: { kind: 'usage', means: 'confirmation needed but there is no terminal to ask on' },
  DEPENDENCY_CYCLE: { kind: 'invalid', means: "the template's resources depend on each other in a cycle" },
  DEPLOY_FAILED: { kind: 'runtime', means: 'the stack operation ended in a failure or rollback state' },
  ENVIRONMENT_INVALID: { kind: 'invalid', means: 'the environments: section or an overlay is invalid' },
  ENVIRONMENT_REQUIRED: { kind: 'usage', means: 'the manifest declares environments and the command needs one (--env NAME)' },
  ENVIRONMENT_UNKNOWN: { kind: 'usage', means: '--env names an environment the manifest does not declare (or it declares none)' },
  FILE_TOO_LARGE: { kind: 'invalid', means: 'the manifest is over the size limit' },
  FILE_UNREADABLE: {
    kind: 'invalid',
    also: ['usage', 'runtime'],
    means: 'a file could not be read (a manifest or template: invalid; a command-line file: usage; local state: runtime)',
  },
  FORBIDDEN_KEY: { kind: 'invalid', means: 'a manifest key that could change object prototypes (__proto__, constructor)' },
  GATE_BLOCKED: { kind: 'gate', means: 'a safety gate refused the change (stateful replacement / removal not allowed)' },
  GATE_STATEFUL: { kind: 'gate', means: 'one of several refusals of GATE_BLOCKED: a stateful resource would be replaced or removed' },
  IMPORT_REFUSED: {
    kind: 'runtime',
    also: ['usage', 'gate'],
    means:
      'adopt/migrate will not import a resource (an --import pair or type it cannot take: usage; the import would also change or replace: gate)',
  },
  MANIFEST_EXISTS: { kind: 'usage', means: '`init` would overwrite a manifest' },
  MANIFEST_INVALID: {
    kind: 'invalid',
    also: ['usage'],
    means: 'the manifest is wrong (several problems together, or one a plugin reported); no region anywhere is usage',
  },
  MANIFEST_WARNING: { kind: 'invalid', means: "a plugin's ctx.warn: compilation continues; shown beside errors too" },
  METAFLOW_CONFIG_INVALID: {
    kind: 'invalid',
    means: '`init --from-config`: the Metaflow config is not JSON, not an object of METAFLOW_* keys, or names nothing to reuse',
  },
  MIGRATION_STEP: {
    kind: 'runtime',
    also: ['gate', 'usage'],
    means: 'a migration step failed (runtime), would lose data (gate), or cannot run yet from this state (usage)',
  },
  NESTED_TOO_DEEPLY: { kind: 'invalid', means: 'the manifest nests deeper than the limit' },
  NOT_OFFICIAL_STACK: {
    kind: 'invalid',
    also: ['runtime'],
    means:
      'init --from-stack / migrate: the stack is not a deployment of the official Metaflow template (missing or half-created: runtime)',
  },
  OUTPUT_CONFLICT: { kind: 'runtime', means: 'a config file changed on disk since mfinfra wrote it' },
  OUTPUT_MISSING: { kind: 'runtime', means: 'a stack Output a config key needs is missing' },
  OUTPUT_TEMPLATE_INVALID: { kind: 'invalid', means: 'an outputs template does not compile or render' },
  OUTPUT_UNWRITABLE: {
    kind: 'runtime',
    also: ['invalid', 'usage'],
    means: 'a file could not be written (a destination the manifest may not name: invalid; `--out` naming the manifest: usage)',
  },
  PLUGIN_API_VERSION: { kind: 'invalid', means: 'a plugin was written for another plugin API version' },
  PLUGIN_CYCLE: { kind: 'invalid', means: "plugins' requires/uses form a cycle" },
  PLUGIN_ERROR: { kind: 'runtime', means: 'a plugin hook threw (a bug in the plugin)' },
  PLUGIN_INVALID: { kind: 'invalid', means: 'a plugin object has the wrong shape' },
  PLUGIN_LOAD_FAILED: { kind: 'invalid', means: "a plugin's module could not be imported" },
  PLUGIN_NOT_FOUND: { kind: 'invalid', means: 'a plugin named in plugins: is not installed' },
  PLUGIN_REQUIREMENT_MISSING: { kind: 'invalid', means: 'a plugin requires one that is not in plugins:' },
  STACK_BUSY: { kind: 'runtime', means: 'the stack is busy with another operation' },
  STACK_LOCKED: { kind: 'runtime', means: 'another mfinfra run holds the local stack lock' },
  STACK_MOVED: { kind: 'runtime', means: "the stack's last operation is not this run's: nothing was recorded" },
  STACK_STATE: { kind: 'runtime', means: 'the stack is in a state that needs the user to act (ROLLBACK_COMPLETE, UPDATE_ROLLBACK_FAILED)' },
  TEMPLATE_BAD_REFERENCE: { kind: 'invalid', means: 'a Ref/GetAtt/Sub/DependsOn names no resource or parameter' },
  TEMPLATE_INVALID: {
    kind: 'invalid',
    also: ['usage'],
    means: 'a template is malformed (the compiled one: invalid; one named by --against: usage)',
  },
  TEMPLATE_LIMIT: { kind: 'invalid', means: 'the template is over a CloudFormation limit' },
  TEMPLATE_TOO_LARGE: { kind: 'invalid', means: 'the template is too large, or needs S3 staging that is not configured' },
  TERMINATION_PROTECTION: { kind: 'runtime', means: 'termination protection is on' },
  TIMEOUT: { kind: 'runtime', means: 'waiting took longer than allowed' },
  USAGE: { kind: 'usage', means: 'the command line is wrong' },
  YAML_SYNTAX: { kind: 'invalid', means: 'the manifest is not valid YAML' },
} as const satisfies Record<string, CodeSpec>;
export type ErrorCodeName = keyof typeof ERROR_CODES;

/** The kind of a code: the registry's, or `invalid` for a code it does not know (a plugin's own). */
export function kindOf(code: string): ErrorKind {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as ErrorCodeName].kind : 'invalid';
}

const KIND_OF_EXIT = new Map<number, ErrorKind>(Object.entries(ERROR_KINDS).map(([k, v]) => [v.exitCode, k as ErrorKind]));

export interface MfinfraErrorOptions {
  hint?: string;
  plugin?: string;
  hook?: string;
  loc?: SourceLocation;
  frame?: string;
  path?: string;
  pluginCode?: string;
  diagnostics?: Diagnostic[];
  /** Warnings reported in the same run (shown after the errors, never hidden by them). */
  warnings?: Diagnostic[];
  /** The kind (decides the exit code). Default: the code's kind in `ERROR_CODES`. */
  kind?: ErrorKind;
  /** @deprecated give `kind`; an exit code is mapped to its kind. */
  exitCode?: ExitCodeValue;
  cause?: unknown;
}

export class MfinfraError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly hint?: string;
  readonly plugin?: string;
  readonly hook?: string;
  readonly loc?: SourceLocation;
  readonly frame?: string;
  readonly path?: string;
  readonly pluginCode?: string;
  readonly diagnostics: Diagnostic[];
  readonly warnings: Diagnostic[];
  /** From the kind (`ERROR_KINDS`). */
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, options: MfinfraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MfinfraError';
    this.code = code;
    this.kind = options.kind ?? (options.exitCode === undefined ? undefined : KIND_OF_EXIT.get(options.exitCode)) ?? kindOf(code);
    this.hint = options.hint;
    this.plugin = options.plugin;
    this.hook = options.hook;
    this.loc = options.loc;
    this.frame = options.frame;
    this.path = options.path;
    this.pluginCode = options.pluginCode;
    this.diagnostics = options.diagnostics ?? [];
    this.warnings = options.warnings ?? [];
    this.exitCode = ERROR_KINDS[this.kind].exitCode;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static is(value: unknown): value is MfinfraError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Plain data for `--json` output and tests. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    for (const k of ['hint', 'plugin', 'hook', 'loc', 'path', 'pluginCode'] as const) {
      if (this[k] !== undefined) out[k] = this[k];
    }
    if (this.diagnostics.length) out.diagnostics = this.diagnostics.map(({ frame: _f, ...d }) => d);
    if (this.warnings.length) out.warnings = this.warnings.map(({ frame: _f, ...d }) => d);
    out.exitCode = this.exitCode;
    return out;
  }
}

/** The codes by name (`ErrorCode.PLUGIN_NOT_FOUND === 'PLUGIN_NOT_FOUND'`), for comparisons. */
export const ErrorCode = Object.freeze(Object.fromEntries(Object.keys(ERROR_CODES).map((k) => [k, k]))) as {
  readonly [C in ErrorCodeName]: C;
};
/** @deprecated one registry now: the deploy codes are in `ErrorCode`. */
export const DeployErrorCode = ErrorCode;

type AllowedKind<C extends ErrorCodeName> = (typeof ERROR_CODES)[C] extends { also: readonly (infer K)[] }
  ? (typeof ERROR_CODES)[C]['kind'] | K
  : (typeof ERROR_CODES)[C]['kind'];

/** A factory's options: no exit code; a kind only where the registry allows another for the code. */
export type FailOptions<C extends ErrorCodeName> = Omit<MfinfraErrorOptions, 'kind' | 'exitCode'> & { kind?: AllowedKind<C> };

/**
 * The one way core makes an error: `throw fail.PLUGIN_NOT_FOUND(message, { hint })`. The code's kind
 * (and so the exit code) comes from `ERROR_CODES`.
 */
export const fail = Object.freeze(
  Object.fromEntries(
    Object.keys(ERROR_CODES).map((code) => [
      code,
      (message: string, options?: MfinfraErrorOptions) => new MfinfraError(code, message, options),
    ]),
  ),
) as { readonly [C in ErrorCodeName]: (message: string, options?: FailOptions<C>) => MfinfraError };

/**
 * The same error (code and kind) told again with more context: a longer message, a hint, the plugin
 * and hook it happened in. Only what `options` gives is kept besides code and kind; the original is
 * the cause. `kind` changes the kind only where the situation changed it (e.g. after a deploy
 * changed the stack, "invalid, nothing was changed" is no longer true).
 */
export function restate(e: MfinfraError, message: string, options: Omit<MfinfraErrorOptions, 'exitCode'> = {}): MfinfraError {
  // An error from a plugin bundling an older copy of core has no kind: its exit code tells it.
  return new MfinfraError(e.code, message, { kind: e.kind ?? KIND_OF_EXIT.get(e.exitCode), cause: e, ...options });
}

/**
 * Several problems (`diagnostics`) as one error: the code of the only one, or a summary code for
 * several, and the kind of the situation they were found in: `invalid` for the manifest's problems
 * (parse, schema, plugin checks: nothing was changed), `runtime` for problems found against a
 * deployed stack (it has changed already).
 */
export function problemsError(
  kind: 'invalid' | 'runtime',
  code: string,
  message: string,
  options: Omit<MfinfraErrorOptions, 'kind' | 'exitCode'>,
): MfinfraError {
  return new MfinfraError(code, message, { ...options, kind });
}

/**
 * What a plugin throws for a bug or a broken environment (another plugin's api lacks a field, an
 * option that `check` should have refused): core reports it as `PLUGIN_ERROR` naming the plugin and
 * hook (exit 1), with `code` kept as `pluginCode`. Manifest mistakes go through `ctx.report` /
 * `ctx.error` instead. Deliberately not an MfinfraError: it has no position, and core adds the plugin.
 */
export class PluginError extends Error {
  readonly code?: string;
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PluginError';
    this.code = options.code;
  }
}
