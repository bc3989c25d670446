import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { terminalHost } from '../terminalHost.js';
import { relativeToCwd, targetOf, withAwsAccess, type AwsAccessArgs } from './shared.js';

interface Args extends AwsAccessArgs {
  print: boolean;
  force: boolean;
}

export const outputsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'outputs [manifest]',
  describe: "Write the Metaflow config (and the manifest's env file and templates) for the deployed stack",
  builder: (y) =>
    withAwsAccess(y)
      .option('print', { type: 'boolean', default: false, describe: 'show the files and what would change, write nothing' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite config keys changed by hand (a backup is kept)' })
      .example('$0 outputs', 'write ~/.metaflowconfig/config.json for the stack of the manifest found from here')
      .example('$0 outputs --print', 'show the config without writing it')
      .example('$0 outputs --json', 'print the config values (API key redacted) for a pipeline'),
  handler: async (argv) => {
    const { io } = cli();
    const c = paint(io.color);
    // Compile warnings go through the host (on stderr, not under --json), as for every command that talks to AWS.
    const host = await terminalHost({ json: argv.json, debug: argv.debug, yes: false, format: 'terminal', ask: false });
    const { loadDeployTarget, outputsDeploy } = await import('../../index.js');
    const { compiled, clients } = await loadDeployTarget(targetOf(argv), host);
    const result = await outputsDeploy(compiled, { clients, io: host }, { force: argv.force, print: argv.print });

    if (argv.json) {
      printJson({ ok: true, ...result, files: result.files.map((f) => (argv.print ? f : { ...f, content: undefined })) });
      return;
    }
    for (const f of result.files) {
      const where = relativeToCwd(f.path);
      const mode = `0${f.mode.toString(8)}`;
      if (argv.print) {
        io.err(c.bold(`# ${where} (${f.kind}, ${mode}, would be ${f.status})`));
        io.out(f.content);
        if (f.diff) io.err(colorDiff(f.diff, c));
        for (const k of f.conflicts ?? []) io.err(c.yellow(`  ${k.key} was changed by hand (${k.current}); writing needs --force`));
        continue;
      }
      if (f.diff) io.err(colorDiff(f.diff, c));
      const verb = f.status === 'unchanged' ? c.dim('unchanged') : f.status === 'created' ? 'created' : 'updated';
      io.err(`${c.green('✓')} ${verb} ${where} (${mode})${f.backup ? c.dim(` — previous version in ${relativeToCwd(f.backup)}`) : ''}`);
      if (f.keptKeys?.length) io.err(c.dim(`  kept your own settings: ${f.keptKeys.join(', ')}`));
    }
    if (result.files.length === 0)
      io.err(c.dim('nothing to write: outputs.metaflowConfig.enabled is false and no env file or templates are listed'));
    for (const note of result.notes) io.err(c.dim(`note: ${note}`));
  },
};

function colorDiff(diff: string, c: ReturnType<typeof paint>): string {
  return diff
    .trimEnd()
    .split('\n')
    .map((l) =>
      l.startsWith('+++') || l.startsWith('---')
        ? c.bold(l)
        : l.startsWith('+')
          ? c.green(l)
          : l.startsWith('-')
            ? c.red(l)
            : l.startsWith('@@')
              ? c.cyan(l)
              : l,
    )
    .join('\n');
}
