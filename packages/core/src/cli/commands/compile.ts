import type { CommandModule } from 'yargs';
import { fail, type CompileResult } from '../../index.js';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { terminalHost } from '../terminalHost.js';
import { refuseEmptyOut, relativeToCwd, withManifest, withOut, writeOut } from './shared.js';

interface Args extends GlobalArgs {
  manifest?: string;
  out?: string;
  format: 'json' | 'yaml';
}

/** `compile` of a manifest with environments and no --env: every environment checked, none written. */
async function reportEnvironments(results: CompileResult[], argv: Args): Promise<void> {
  const names = results.map((r) => r.environment!);
  if (argv.out) {
    throw fail.ENVIRONMENT_REQUIRED(
      `--out writes one template, and ${relativeToCwd(results[0]!.file)} declares environments ${names.join(', ')}`,
      {
        hint: `every environment compiled; pass --env NAME to write one (--env ${names[0]} --out template-${names[0]}.json)`,
      },
    );
  }
  const { io } = cli();
  if (argv.json) {
    printJson({
      ok: true,
      file: results[0]!.file,
      environments: results.map((r) => ({
        environment: r.environment,
        stackName: r.stackName,
        stats: r.stats,
        configOutputs: r.configOutputs,
        stackOutputs: r.stackOutputs,
        warnings: r.warnings,
        template: r.template,
      })),
    });
    return;
  }
  const c = paint(io.color);
  const host = await warningsHost(argv);
  const { reportCompileWarnings } = await import('../../index.js');
  for (const r of results) {
    reportCompileWarnings(host, r);
    io.err(
      `${c.green('✓')} compiled environment ${c.bold(r.environment!)} (stack ${r.stackName}): ${r.stats.resources} resources, ${r.stats.outputs} outputs, ${(r.stats.bodyBytes / 1024).toFixed(1)} KB`,
    );
  }
  io.err(c.dim(`  every environment compiled; pass --env NAME to print one template (or --out FILE to write it)`));
}

/** The terminal host compile's warnings go to (COMPILE_WARNINGS, as for every command). */
function warningsHost(argv: Args) {
  return terminalHost({ json: argv.json, debug: argv.debug, yes: false, format: 'terminal', ask: false });
}

export const compileCommand: CommandModule<GlobalArgs, Args> = {
  command: 'compile [manifest]',
  describe: 'Compile the manifest to one CloudFormation template (stdout, or --out FILE)',
  builder: (y) =>
    withOut(withManifest(y), 'write the template to this file (atomically) instead of stdout')
      .option('format', { choices: ['json', 'yaml'] as const, default: 'json' as const, describe: 'template format' })
      .example('$0 compile examples/full --out template.json', 'write the full example template'),
  handler: async (argv) => {
    await refuseEmptyOut(argv.out, 'template');
    const { io } = cli();
    let result: CompileResult;
    if (argv.env === undefined) {
      // A manifest with environments: check every one; a template is one environment's (--env).
      const { compileEnvironments } = await import('../../index.js');
      const { results } = await compileEnvironments({ manifest: argv.manifest, cwd: argv.cwd, format: argv.format });
      if (results[0]!.environment !== undefined) return reportEnvironments(results, argv);
      result = results[0]!;
    } else {
      const { compile } = await import('../../index.js');
      result = await compile({ manifest: argv.manifest, cwd: argv.cwd, format: argv.format, env: argv.env });
    }
    if (argv.out) await writeOut(argv.out, result.body, { cwd: argv.cwd, manifest: result.file });
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
    const { reportCompileWarnings } = await import('../../index.js');
    reportCompileWarnings(await warningsHost(argv), result);
    const size = `${(result.stats.bodyBytes / 1024).toFixed(1)} KB`;
    io.err(
      `${c.green('✓')} compiled ${relativeToCwd(result.file)}: ${result.stats.resources} resources, ${result.stats.outputs} outputs, ${size}` +
        (argv.out ? ` → ${argv.out}` : ''),
    );
    if (result.stats.needsS3Upload) {
      io.err(
        c.dim(
          `  note: even minified (${result.stats.deployBytes.toLocaleString('en-US')} bytes) the template is over the 51,200 bytes CloudFormation takes inline; apply stages it in S3 (stack.templateBucket, else mfinfra's managed bucket for the account and region)`,
        ),
      );
    }
  },
};
