import yargs from 'yargs';
import { ExitCode } from '../errors.js';
import { VERSION } from '../version.js';
import { commands } from './commands/index.js';
import { setRuntime } from './context.js';
import { processIo, type CliIo } from './io.js';
import { exitCodeOf, renderError } from './renderError.js';

/** Run the CLI with these arguments; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCode.OK;
  setRuntime({ io, setExitCode: (c) => (exitCode = c) });
  const debug = argv.includes('--debug');
  const json = argv.includes('--json');
  let parser = yargs(argv)
    .scriptName('mfinfra')
    .usage('$0 <command> [manifest] [options]\n\nStand up and run Metaflow on AWS from one metaflow.infra.yaml.')
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces for errors' })
    .option('json', { type: 'boolean', default: false, describe: 'print machine-readable JSON on stdout' })
    .option('cwd', { type: 'string', describe: 'run as if started in this folder' })
    .strict()
    .demandCommand(1, 'name a command, e.g. `mfinfra validate`')
    .recommendCommands()
    .version(VERSION)
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
      io.err(`${(e as Error).message}\nrun \`mfinfra --help\` for usage`);
      return ExitCode.USAGE;
    }
    if (json) io.out(JSON.stringify({ ok: false, error: toJson(e) }, null, 2));
    else io.err(renderError(e, { color: io.color, debug }));
    return exitCodeOf(e);
  }
  return exitCode;
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
