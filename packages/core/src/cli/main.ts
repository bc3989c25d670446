import yargs from 'yargs';
import { ExitCode, setCliPackage, VERSION, type CliPackage } from '../index.js';
import { commands } from './commands/index.js';
import { setRuntime } from './context.js';
import { processIo, type CliIo } from './io.js';
import { exitCodeOf, renderError } from './renderError.js';
import { commandNames, unknownCommand, unknownFlags, usageError, usageHint } from './usage.js';

export interface MainOptions {
  /**
   * The CLI package that launched this run (the unscoped `mfinfra` package): plugins not installed
   * beside the manifest resolve from its dependencies, and `--version` names it.
   */
  cliPackage?: CliPackage;
}

/** Run the CLI with these arguments; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIo = processIo(), options: MainOptions = {}): Promise<number> {
  let exitCode: number = ExitCode.OK;
  setCliPackage(options.cliPackage);
  setRuntime({ io, setExitCode: (c) => (exitCode = c) });
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  const fail = (e: unknown) => {
    if (json) io.out(JSON.stringify({ ok: false, error: toJson(e) }, null, 2));
    else io.err(renderError(e, { color: io.color, debug }));
    return exitCodeOf(e);
  };
  // --version belongs to mfinfra itself, not to each command (yargs' own would list it under every one).
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    const cli = options.cliPackage;
    io.out(cli && cli.version !== VERSION ? `${cli.version} (@mfinfra/core ${VERSION})` : VERSION);
    return ExitCode.OK;
  }
  const mistyped = unknownCommand(argv, commandNames(commands));
  if (mistyped) return fail(mistyped);
  let parser = yargs(argv)
    .scriptName('mfinfra')
    .usage('$0 <command> [manifest] [options]\n\nStand up and run Metaflow on AWS from one metaflow.infra.yaml.')
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces for errors' })
    .option('json', { type: 'boolean', default: false, describe: 'print machine-readable JSON on stdout' })
    .option('cwd', { type: 'string', describe: 'run as if started in this folder' })
    .option('env', {
      type: 'string',
      describe: "the environment to work on (a name under the manifest's environments:); needed by commands that talk to AWS",
    })
    .strict()
    .demandCommand(1, 'name a command, e.g. `mfinfra validate`')
    .version(false)
    .option('version', { alias: 'V', type: 'boolean', global: false, describe: 'print the version number' })
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilog(
      'Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid manifest/plugin, 4 refused by a safety gate, 5 plan has changes pending, 130 aborted.',
    )
    .fail((msg, err) => {
      // yargs calls this for usage mistakes (msg) and for errors thrown by handlers (err).
      if (err && !(err.name === 'YError')) throw err;
      throw new UsageError(msg ?? err?.message ?? 'invalid command line');
    });
  for (const command of commands) parser = parser.command(command as never);
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof UsageError) {
      // One error format for usage mistakes too, with did-you-mean for a mistyped flag.
      return fail(usageError(usageMessage(e.message, argv), usageHint(e.message, argv, commands)));
    }
    return fail(e);
  }
  return exitCode;
}

/** yargs' wording, lower-cased as mfinfra's messages are: `Unknown argument: ofline` → `unknown option --ofline`. */
function usageMessage(msg: string, argv: string[]): string {
  const names = unknownFlags(msg, argv);
  if (names) return `unknown option${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}

class UsageError extends Error {
  override name = 'UsageError';
}

function toJson(e: unknown): unknown {
  if (e && typeof e === 'object' && 'toJSON' in e && typeof (e as { toJSON: unknown }).toJSON === 'function') {
    return (e as { toJSON(): unknown }).toJSON();
  }
  return { code: 'UNEXPECTED', message: e instanceof Error ? e.message : String(e) };
}
