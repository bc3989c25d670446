import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { requireTtyOrYes } from '../terminalHost.js';
import { askingHost, targetOf, withAwsOptions, withYes, type AwsArgs } from './shared.js';

interface Args extends AwsArgs {
  yes: boolean;
}

export const destroyCommand: CommandModule<GlobalArgs, Args> = {
  command: 'destroy [manifest]',
  describe: "Delete the manifest's stack: show what is deleted and what is retained, confirm, delete, stream events",
  builder: (y) =>
    withYes(withAwsOptions(y), 'do not ask (needed without a TTY)').example(
      '$0 destroy',
      'delete the stack of the manifest found from here',
    ),
  handler: async (argv) => {
    const { io } = cli();
    const c = paint(io.color);
    const host = await askingHost(argv);
    const { loadDeployTarget, destroyDeploy, configFilesOf } = await import('../../index.js');
    const { compiled, clients } = await loadDeployTarget(targetOf(argv), host);
    await requireTtyOrYes(`destroy of stack ${compiled.stackName}`, argv.yes);
    const signal = host.watchInterrupts();
    try {
      const path = await import('node:path');
      const out = await destroyDeploy(
        compiled.stackName,
        { clients, io: host, signal },
        {
          waitForBusy: argv['wait-for-busy'],
          manifestDir: path.dirname(compiled.file),
          environment: compiled.environment,
          manifest: compiled.manifest,
          yes: argv.yes,
        },
      );
      host.progress.pause();
      // The config files an apply wrote still point at what was just deleted.
      const staleConfig = out.result.status === 'deleted' ? await configFilesOf(compiled) : [];
      if (argv.json) {
        printJson({
          ...(out.result.stateRemoved ? { stateRemoved: out.result.stateRemoved } : {}),
          staleConfig,
          ok: true,
          stackName: out.plan.stackName,
          region: clients.region,
          status: out.result.status,
          finalStatus: out.result.finalStatus,
          stackId: out.result.stackId,
          resources: out.plan.resources,
          retained: out.result.retained,
          events: host.events,
        });
        return;
      }
      if (out.result.status === 'no-stack') {
        io.err(`${c.green('✓')} nothing to destroy: stack ${compiled.stackName} does not exist in ${clients.region}`);
        if (out.result.stateRemoved)
          io.err(c.dim(`removed the local state ${out.result.stateRemoved} (it described a stack that does not exist)`));
        return;
      }
      io.err(`${c.green('✓')} ${out.plan.stackName}: ${out.result.finalStatus}`);
      const { formatDuration } = await import('../progress.js');
      const deleted = out.plan.resources.length - out.result.retained.length;
      io.err(
        c.bold(
          `Destroy complete: ${deleted} removed, ${out.result.retained.length} retained in ${formatDuration(Date.now() - host.progress.startedAt)}`,
        ),
      );
      for (const r of out.result.retained) {
        io.err(c.yellow(`  kept (${r.deletionPolicy}): ${r.resourceType} ${r.logicalId}${r.physicalId ? ` ${r.physicalId}` : ''}`));
      }
      if (out.result.stateRemoved) io.err(c.dim(`removed the local state ${out.result.stateRemoved}`));
      for (const f of staleConfig) {
        io.err(
          c.yellow(
            `note: ${f} still points at the deleted stack's resources: delete it (or point it elsewhere) before running flows, or \`mfinfra apply\` to deploy again`,
          ),
        );
      }
    } finally {
      host.dispose();
    }
  },
};
