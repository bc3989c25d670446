import type { AwsSettings } from '../aws/clients.js';
import type { AwsAccess } from '../plugin.js';
import type { CompileResult } from '../compile/compile.js';

/** What `writeConfigOutputs` needs: the compile result and the deployed stack's Outputs. */
export interface WriteOutputsInput {
  /** From `compile()` / `compileProject()` of the manifest that was deployed. */
  compiled: CompileResult;
  /** OutputKey → OutputValue, as DescribeStacks returns them. */
  stackOutputs: Record<string, string>;
  /** The region the stack lives in (becomes AWS_DEFAULT_REGION in the env file and templates). */
  region: string;
  /**
   * The run's AWS access for the plugins' `deployedOutputs` hooks (`ctx.aws`); made from
   * `options.aws` when absent (only when a plugin has such a hook).
   */
  access?: AwsAccess;
  /** Aborted when the run is interrupted (passed to the hooks as `ctx.signal`). */
  signal?: AbortSignal;
  options?: WriteOutputsOptions;
}

export interface WriteOutputsOptions {
  /** Overwrite config keys the user changed by hand (a backup is still kept). */
  force?: boolean;
  /** Render everything and report it, but write nothing. */
  print?: boolean;
  /** Environment for METAFLOW_HOME and HOME (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** AWS settings for the clients the plugins' `deployedOutputs` hooks use (`ctx.aws`). */
  aws?: AwsSettings;
  /** Clock for the sidecar record (tests). */
  now?: () => Date;
}

/** The kind of file written. */
export type OutputFileKind = 'metaflow-config' | 'env-file' | 'template';

/** What happened (or, with `print`, would happen) to one file. */
export type OutputFileStatus = 'created' | 'updated' | 'unchanged';

export interface OutputFileResult {
  kind: OutputFileKind;
  /** Absolute destination path. */
  path: string;
  /** The template it was rendered from (user templates). */
  template?: string;
  /** File mode, e.g. 0o600. */
  mode: number;
  status: OutputFileStatus;
  /** Whether the file was written in this run (false with `print` or when unchanged). */
  written: boolean;
  /** The new content, with secrets redacted. */
  content: string;
  /** A line diff of old → new content, secrets redacted ('' when created or unchanged). */
  diff: string;
  /** Where the previous content was copied before overwriting. */
  backup?: string;
  /** Metaflow config only: keys the user set by hand that differ from the deployed values. */
  conflicts?: ConfigConflict[];
  /** Metaflow config only: keys kept from the existing file that mfinfra does not manage. */
  keptKeys?: string[];
}

export interface ConfigConflict {
  key: string;
  /** Current value in the file (redacted when secret). */
  current: string;
  /** Value from the deployment (redacted when secret). */
  deployed: string;
}

export interface WriteOutputsResult {
  stackName: string;
  region: string;
  /** Every config value (METAFLOW_* key → value), secrets redacted, sorted by key. */
  values: Record<string, string>;
  /** Which keys hold secrets (redacted in `values` and every printed output). */
  secretKeys: string[];
  files: OutputFileResult[];
  /** Things the user should know (e.g. AWS_DEFAULT_REGION is not read from Metaflow's config file). */
  notes: string[];
}
