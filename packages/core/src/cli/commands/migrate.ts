import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { MIGRATION_STEPS, type MigrationStep } from '../../index.js';
import { requireTtyOrYes } from '../terminalHost.js';
import { askingHost, targetOf, withAwsOptions, withYes, type AwsArgs } from './shared.js';

interface Args extends AwsArgs {
  'from-stack': string;
  step?: MigrationStep;
  yes: boolean;
}

const STEPS: readonly MigrationStep[] = MIGRATION_STEPS;

/** `mfinfra migrate --from-stack OLD`: move a deployment of the official template under the manifest's stack. */
export const migrateCommand: CommandModule<GlobalArgs, Args> = {
  command: 'migrate [manifest]',
  describe: 'Move a deployment of the official Metaflow template under this manifest, step by step, keeping its data (docs/migrate.md)',
  builder: (y) =>
    withYes(
      withAwsOptions(y)
        .option('from-stack', { type: 'string', demandOption: true, describe: 'the stack of the official template to move' })
        .option('step', { type: 'string', choices: STEPS, describe: 'run only this step (the ones before it must be done)' }),
      'do not ask before each step',
    ).example('$0 migrate --from-stack metaflow', 'every step not done yet, each shown and confirmed'),
  handler: async (argv) => {
    const { io } = cli();
    const c = paint(io.color);
    const host = await askingHost(argv);
    const { loadDeployTarget, migrate } = await import('../../index.js');
    const { compiled, clients } = await loadDeployTarget(targetOf(argv), host);
    await requireTtyOrYes(`migrate ${argv['from-stack']} to ${compiled.stackName}`, argv.yes);
    const ctx = { clients, io: host, signal: host.watchInterrupts() };
    try {
      const out = await migrate(compiled, ctx, {
        from: argv['from-stack'],
        ...(argv.step ? { only: argv.step } : {}),
        yes: argv.yes,
        apply: { templateBucket: argv['template-bucket'], yes: argv.yes, waitForBusy: argv['wait-for-busy'] },
      });
      host.progress.pause();
      if (argv.json) {
        printJson({
          ok: true,
          ran: out.ran,
          steps: out.state.steps,
          resources: out.state.resources,
          stateFile: out.stateFile,
          configFiles: out.configFiles,
        });
        return;
      }
      if (!out.ran.length)
        io.err(`${c.green('✓')} nothing to do: every step of the migration from ${out.state.from} is done (${out.stateFile})`);
      else io.err(`${c.green('✓')} ran ${out.ran.join(', ')}; progress is in ${out.stateFile}`);
      for (const f of out.configFiles ?? []) io.err(`${c.dim('•')} wrote ${f}`);
      const left = STEPS.filter((s) => !out.state.steps[s]);
      if (left.length) io.err(`next: mfinfra migrate --from-stack ${out.state.from}   # ${left.join(', ')}`);
      else io.err('next: re-create your Step Functions state machines and enable their schedules (docs/migrate.md, "After the migration")');
    } finally {
      host.dispose();
    }
  },
};
