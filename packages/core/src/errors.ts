/**
 * One error shape for everything mfinfra reports. Errors are data: a stable UPPER_SNAKE `code`, a
 * lowercase `message` that says what is wrong and what to do, and optional plugin / hook / manifest
 * position / code frame / hint. Several manifest problems travel together as `diagnostics` of one
 * `MANIFEST_INVALID` error so a user sees all of them in one run.
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
  exitCode?: ExitCodeValue;
  cause?: unknown;
}

export class MfinfraError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly plugin?: string;
  readonly hook?: string;
  readonly loc?: SourceLocation;
  readonly frame?: string;
  readonly path?: string;
  readonly pluginCode?: string;
  readonly diagnostics: Diagnostic[];
  readonly warnings: Diagnostic[];
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, options: MfinfraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MfinfraError';
    this.code = code;
    this.hint = options.hint;
    this.plugin = options.plugin;
    this.hook = options.hook;
    this.loc = options.loc;
    this.frame = options.frame;
    this.path = options.path;
    this.pluginCode = options.pluginCode;
    this.diagnostics = options.diagnostics ?? [];
    this.warnings = options.warnings ?? [];
    this.exitCode = options.exitCode ?? ExitCode.INVALID;
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

/** The error codes core raises, alphabetical. Plugins' own codes are kept as `pluginCode`. */
export const ErrorCode = {
  ABORTED: 'ABORTED',
  /** The credentials belong to another account than the one the stack (environment) is pinned to. */
  ACCOUNT_MISMATCH: 'ACCOUNT_MISMATCH',
  ALIAS_LIMIT: 'ALIAS_LIMIT',
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  COLLISION_CONFIG_OUTPUT: 'COLLISION_CONFIG_OUTPUT',
  COLLISION_MANIFEST_KEY: 'COLLISION_MANIFEST_KEY',
  COLLISION_PLUGIN_NAME: 'COLLISION_PLUGIN_NAME',
  COLLISION_RESOURCE: 'COLLISION_RESOURCE',
  COLLISION_STACK_OUTPUT: 'COLLISION_STACK_OUTPUT',
  DEPENDENCY_CYCLE: 'DEPENDENCY_CYCLE',
  /** The `environments:` section or an overlay is invalid. */
  ENVIRONMENT_INVALID: 'ENVIRONMENT_INVALID',
  /** The manifest declares environments and the command needs one (--env NAME). */
  ENVIRONMENT_REQUIRED: 'ENVIRONMENT_REQUIRED',
  /** --env names an environment the manifest does not declare (or it declares none). */
  ENVIRONMENT_UNKNOWN: 'ENVIRONMENT_UNKNOWN',
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  FILE_UNREADABLE: 'FILE_UNREADABLE',
  MANIFEST_EXISTS: 'MANIFEST_EXISTS',
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  /** A plugin's `ctx.warn`: compilation continues; shown beside errors too. */
  MANIFEST_WARNING: 'MANIFEST_WARNING',
  OUTPUT_CONFLICT: 'OUTPUT_CONFLICT',
  OUTPUT_MISSING: 'OUTPUT_MISSING',
  OUTPUT_TEMPLATE_INVALID: 'OUTPUT_TEMPLATE_INVALID',
  OUTPUT_UNWRITABLE: 'OUTPUT_UNWRITABLE',
  PLUGIN_API_VERSION: 'PLUGIN_API_VERSION',
  PLUGIN_CYCLE: 'PLUGIN_CYCLE',
  PLUGIN_ERROR: 'PLUGIN_ERROR',
  PLUGIN_INVALID: 'PLUGIN_INVALID',
  PLUGIN_LOAD_FAILED: 'PLUGIN_LOAD_FAILED',
  PLUGIN_NOT_FOUND: 'PLUGIN_NOT_FOUND',
  PLUGIN_REQUIREMENT_MISSING: 'PLUGIN_REQUIREMENT_MISSING',
  TEMPLATE_BAD_REFERENCE: 'TEMPLATE_BAD_REFERENCE',
  TEMPLATE_INVALID: 'TEMPLATE_INVALID',
  TEMPLATE_LIMIT: 'TEMPLATE_LIMIT',
  USAGE: 'USAGE',
  YAML_SYNTAX: 'YAML_SYNTAX',
} as const;
