import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { renderWarnings } from '../renderError.js';
import { relativeToCwd, withManifest } from './shared.js';

interface Args extends GlobalArgs {
  manifest?: string;
  out?: string;
  format: 'json' | 'yaml';
}

export const compileCommand: CommandModule<GlobalArgs, Args> = {
  command: 'compile [manifest]',
  describe: 'Compile the manifest to one CloudFormation template (stdout, or --out FILE)',
  builder: (y) =>
    withManifest(y)
      .option('out', { alias: 'o', type: 'string', describe: 'write the template to this file (atomically) instead of stdout' })
      .option('format', { choices: ['json', 'yaml'] as const, default: 'json' as const, describe: 'template format' })
      .example('$0 compile examples/full --out template.json', 'write the full example template'),
  handler: async (argv) => {
    const { compile } = await import('../../compile/compile.js');
    const result = await compile({ manifest: argv.manifest, cwd: argv.cwd, format: argv.format });
    const { io } = cli();
    if (argv.out) {
      const { writeFileAtomic } = await import('../../io/atomicWrite.js');
      await writeFileAtomic(argv.out, result.body);
    }
    if (argv.json) {
      printJson({
        ok: true,
        file: result.file,
        stackName: result.stackName,
        out: argv.out,
        stats: result.stats,
        configOutputs: result.configOutputs,
        stackOutputs: result.stackOutputs,
        warnings: result.warnings,
        ...(argv.out ? {} : { template: result.template }),
      });
      return;
    }
    if (!argv.out) io.out(result.body);
    const c = paint(io.color);
    if (result.warnings.length) io.err(renderWarnings(result.warnings, io.color));
    const size = `${(result.stats.bodyBytes / 1024).toFixed(1)} KB`;
    io.err(
      `${c.green('✓')} compiled ${relativeToCwd(result.file)}: ${result.stats.resources} resources, ${result.stats.outputs} outputs, ${size}` +
        (argv.out ? ` → ${argv.out}` : ''),
    );
    if (result.stats.needsS3Upload) {
      io.err(c.dim('  note: the template is over 51,200 bytes; apply uploads it to S3 (stack.templateBucket) and passes TemplateURL'));
    }
  },
};
