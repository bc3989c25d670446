import path from 'node:path';
import type { Argv } from 'yargs';
import type { ActionTarget, RequireApproval } from '../../index.js';
import type { GlobalArgs } from '../context.js';
import { terminalHost, type TerminalIoHost } from '../terminalHost.js';

/** The optional `[manifest]` positional every manifest command takes. */
export function withManifest<T>(y: Argv<T>) {
  return y.positional('manifest', {
    type: 'string',
    describe: 'path to metaflow.infra.yaml (or its folder); searched from the working directory upward when omitted',
  });
}

export function relativeToCwd(file: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Flags every command that reads from AWS takes: the manifest, and the account and region to talk to. */
export interface AwsAccessArgs extends GlobalArgs {
  manifest?: string;
  profile?: string;
  region?: string;
  'endpoint-url'?: string;
}

/** Flags every command that changes a stack takes. */
export interface AwsArgs extends AwsAccessArgs {
  'template-bucket'?: string;
  'wait-for-busy': boolean;
}

/** Add [manifest], --profile, --region and --endpoint-url to a command. */
export function withAwsAccess<T>(y: Argv<T>) {
  return withManifest(y)
    .option('profile', {
      type: 'string',
      describe: "AWS profile (shared config / SSO); default: the manifest's stack.profile, else the SDK credential chain",
    })
    .option('region', { type: 'string', describe: "AWS region (default: the manifest's stack.region, then AWS_REGION)" })
    .option('endpoint-url', {
      type: 'string',
      describe: 'send AWS calls here (LocalStack, moto); AWS_ENDPOINT_URL[_CLOUDFORMATION] also work',
    });
}

/** {@link withAwsAccess}, and --template-bucket and --wait-for-busy. */
export function withAwsOptions<T>(y: Argv<T>) {
  return withAwsAccess(y)
    .option('template-bucket', {
      type: 'string',
      describe:
        "S3 bucket for templates over 51,200 bytes minified (default: stack.templateBucket, else mfinfra's managed mfinfra-templates-<account>-<region>; created private and encrypted if missing)",
    })
    .option('wait-for-busy', {
      type: 'boolean',
      default: false,
      describe: 'wait for a running stack operation to finish instead of refusing',
    });
}

export type PreviewFormatArg = 'terminal' | 'markdown' | 'json';

/** The preview and gate options `plan` (and `apply`) share. */
export interface PreviewArgs extends GlobalArgs {
  format: PreviewFormatArg;
  'allow-replace': string[];
  'require-approval': RequireApproval;
  yes: boolean;
}

/** Add --format, --allow-replace, --require-approval and --yes to a command. */
export function withPreviewOptions<T>(y: Argv<T>) {
  const withGates = y
    .option('format', {
      choices: ['terminal', 'markdown', 'json'] as const,
      default: 'terminal' as const,
      describe:
        'preview format: terminal, markdown (for a PR comment; also appended to $GITHUB_STEP_SUMMARY when set) or json (same as --json)',
    })
    .option('allow-replace', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'allow replacing or removing this stateful resource (logical id; repeatable)',
    })
    .option('require-approval', {
      choices: ['never', 'any-change', 'broadening'] as const,
      default: 'broadening' as const,
      describe:
        'when apply asks for approval: "broadening" (default) a change that gives more IAM or security-group access; "any-change" every change; "never" no question (the data-safety gate still refuses replacing or deleting stateful resources)',
    });
  return withYes(withGates, 'approve changes that need approval (required when not on a terminal)');
}

/** Add --out (-o) FILE: `describe` says what is written there instead of stdout. */
export function withOut<T>(y: Argv<T>, describe: string) {
  return y.option('out', { alias: 'o', type: 'string', describe });
}

/** An empty --out (an unset shell variable, `--out "$OUT"`) is a mistake, not a request for stdout: exit 2. */
export async function refuseEmptyOut(out: string | undefined, what: string): Promise<void> {
  if (out === undefined || out.trim() !== '') return;
  const { fail } = await import('../../index.js');
  throw fail.USAGE('--out needs a file name (it was empty)', {
    hint: `give the ${what} file to write (--out ${what === 'template' ? 'template.json' : 'metaflow.infra.schema.json'}), or leave --out out to print the ${what}`,
  });
}

/**
 * Write an --out file (relative to --cwd) atomically, through a symlink; naming the manifest is a
 * usage error (exit 2) found before anything is written. Returns the file written.
 */
export async function writeOut(out: string, text: string, options: { cwd?: string; manifest?: string }): Promise<string> {
  const { refuseProtected, writeFileAtomic } = await import('../../index.js');
  const file = path.resolve(options.cwd ?? process.cwd(), out);
  const protect = options.manifest ? [{ path: options.manifest, what: 'the manifest' }] : [];
  await refuseProtected(file, undefined, protect, 'usage');
  await writeFileAtomic(file, text, { protect });
  return file;
}

/** Add --yes (-y): `describe` says what is not asked. */
export function withYes<T>(y: Argv<T>, describe: string) {
  return y.option('yes', { alias: 'y', type: 'boolean', default: false, describe });
}

/** The terminal host of a command that asks before it changes anything (adopt, destroy, migrate). */
export function askingHost(argv: GlobalArgs & { yes: boolean }): Promise<TerminalIoHost> {
  return terminalHost({ json: argv.json, debug: argv.debug, yes: argv.yes, format: 'terminal', ask: true });
}

/** The target an action works on, from the flags. */
export function targetOf(argv: AwsAccessArgs): ActionTarget {
  return {
    manifest: argv.manifest,
    env: argv.env,
    cwd: argv.cwd,
    region: argv.region,
    profile: argv.profile,
    endpointUrl: argv['endpoint-url'],
  };
}
