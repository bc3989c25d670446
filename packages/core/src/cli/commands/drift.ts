import type { CommandModule } from 'yargs';
import { cli, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { terminalHost } from '../terminalHost.js';
import { targetOf, withAwsOptions, type AwsArgs } from './shared.js';

interface Args extends AwsArgs {
  format: 'terminal' | 'markdown' | 'json';
}

export const driftCommand: CommandModule<GlobalArgs, Args> = {
  command: 'drift [manifest]',
  describe: "Detect drift: what was changed in AWS outside CloudFormation, shown like a plan (the stack's template → what AWS has)",
  builder: (y) =>
    withAwsOptions(y)
      .option('format', {
        choices: ['terminal', 'markdown', 'json'] as const,
        default: 'terminal' as const,
        describe: 'terminal, markdown (for a PR comment or issue) or json (same as --json)',
      })
      .example('$0 drift', 'run CloudFormation drift detection on the stack of the manifest found from here'),
  handler: async (argv) => {
    const { io } = cli();
    const c = paint(io.color);
    const host = await terminalHost({ json: argv.json, debug: argv.debug, yes: false, format: 'terminal', ask: false });
    const { loadDeployTarget, detectDrift, renderPreview } = await import('../../index.js');
    const { compiled, clients } = await loadDeployTarget(targetOf(argv), host);
    const signal = host.watchInterrupts();
    try {
      const result = await detectDrift(compiled.stackName, { clients, io: host, signal });
      const format = argv.json ? 'json' : argv.format;
      if (format === 'json') {
        const { preview, ...rest } = result;
        io.out(JSON.stringify({ ok: true, ...rest, preview }, null, 2));
        return;
      }
      io.out(renderPreview(result.preview, format, { color: format === 'terminal' && io.color && io.isTTY }));
      if (result.status === 'IN_SYNC') io.err(`${c.green('✓')} stack ${result.stackName} matches its template (IN_SYNC)`);
      else {
        io.err(
          c.yellow(
            `stack ${result.stackName} has drifted (${result.status}): ${result.driftedResources} resource${result.driftedResources === 1 ? '' : 's'} differ from the template; \`mfinfra apply\` puts back what the template says where CloudFormation can`,
          ),
        );
      }
    } finally {
      host.dispose();
    }
  },
};
