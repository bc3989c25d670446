import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { requireTtyOrYes } from '../terminalHost.js';
import { askingHost, targetOf, withAwsOptions, withYes, type AwsArgs } from './shared.js';

interface Args extends AwsArgs {
  import: string[];
  'update-after-import': boolean;
  yes: boolean;
}

/** `mfinfra adopt`: import existing stateful resources into the manifest's stack (IMPORT change set). */
export const adoptCommand: CommandModule<GlobalArgs, Args> = {
  command: 'adopt [manifest]',
  describe: 'Import existing buckets, tables, databases, secrets and log groups into the stack (IMPORT change set), after checking them',
  builder: (y) =>
    withYes(
      withAwsOptions(y)
        .option('import', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'LogicalId=name of a resource to import (the logical id as `mfinfra compile` names it); repeat for several',
        })
        .option('update-after-import', {
          type: 'boolean',
          default: false,
          describe:
            'import resources whose settings differ from the template as they are; the next `mfinfra apply` changes them (previewed)',
        }),
      'do not ask before importing',
    ).example('$0 adopt --import DatastoreBucket=my-metaflow-bucket', 'bring an existing bucket under the stack'),
  handler: async (argv) => {
    const { io } = cli();
    const c = paint(io.color);
    const { parseImportPairs, adopt, loadDeployTarget } = await import('../../index.js');
    const imports = parseImportPairs(argv.import);
    const host = await askingHost(argv);
    const { compiled, clients } = await loadDeployTarget(targetOf(argv), host);
    await requireTtyOrYes(`adopt into stack ${compiled.stackName}`, argv.yes);
    const ctx = { clients, io: host, signal: host.watchInterrupts() };
    try {
      const out = await adopt(compiled, ctx, {
        imports,
        updateAfterImport: argv['update-after-import'],
        templateBucket: argv['template-bucket'],
        yes: argv.yes,
      });
      host.progress.pause();
      if (argv.json) {
        printJson({
          ok: true,
          stackName: out.result.stackName,
          stackId: out.result.stackId,
          finalStatus: out.result.finalStatus,
          imported: out.plan.imports.map((i) => ({
            logicalId: i.logicalId,
            resourceType: i.resourceType,
            physicalId: i.physicalId,
            deferred: i.deferred,
          })),
          preview: out.preview,
          events: host.events,
          stateFile: out.stateFile,
        });
        return;
      }
      io.err(`${c.green('✓')} ${out.result.stackName}: ${out.result.finalStatus} (${out.result.imported.join(', ')} imported)`);
      io.err('next: mfinfra plan   # what the manifest adds or changes beyond the imported resources; then mfinfra apply');
    } finally {
      host.dispose();
    }
  },
};
