import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { renderWarnings } from '../renderError.js';
import { relativeToCwd, withManifest } from './shared.js';

interface Args extends GlobalArgs {
  manifest?: string;
}

export const validateCommand: CommandModule<GlobalArgs, Args> = {
  command: 'validate [manifest]',
  describe: 'Check the manifest, its plugins and the template they compile to (no AWS needed)',
  builder: (y) => withManifest(y).example('$0 validate examples/full', 'check the full example'),
  handler: async (argv) => {
    const { compile } = await import('../../compile/compile.js');
    const result = await compile({ manifest: argv.manifest, cwd: argv.cwd });
    const { io } = cli();
    if (argv.json) {
      printJson({
        ok: true,
        file: result.file,
        stackName: result.stackName,
        plugins: result.plugins.map((p) => p.name),
        stats: result.stats,
        configKeys: result.configOutputs.map((c) => c.key),
        warnings: result.warnings,
      });
      return;
    }
    const c = paint(io.color);
    if (result.warnings.length) io.err(renderWarnings(result.warnings, io.color));
    io.err(
      `${c.green('✓')} ${relativeToCwd(result.file)} is valid: stack ${result.stackName}, ` +
        `${result.plugins.length} plugin${result.plugins.length === 1 ? '' : 's'}, ${result.stats.resources} resources, ` +
        `${result.configOutputs.length} config outputs`,
    );
  },
};
