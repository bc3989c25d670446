import type { CommandModule } from 'yargs';
import type { CompileResult } from '../../index.js';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { terminalHost } from '../terminalHost.js';
import { relativeToCwd, withManifest } from './shared.js';

interface Args extends GlobalArgs {
  manifest?: string;
  'all-envs': boolean;
}

function summaryJson(result: CompileResult) {
  return {
    stackName: result.stackName,
    plugins: result.plugins.map((p) => p.name),
    stats: result.stats,
    configKeys: result.configOutputs.map((c) => c.key),
    // The manifest as the plugins see it: every default (items of arrays included) applied.
    manifest: result.manifest,
    warnings: result.warnings,
  };
}

export const validateCommand: CommandModule<GlobalArgs, Args> = {
  command: 'validate [manifest]',
  describe: 'Check the manifest, its plugins and the template they compile to (no AWS needed); every environment unless --env',
  builder: (y) =>
    withManifest(y)
      .option('all-envs', {
        type: 'boolean',
        default: false,
        describe: 'check every environment of the manifest (what validate does without --env)',
      })
      .example('$0 validate examples/full', 'check the full example')
      .example('$0 validate --env prod', 'check only the prod environment'),
  handler: async (argv) => {
    const { io } = cli();
    const c = paint(io.color);
    if (argv['all-envs'] && argv.env !== undefined) {
      const { usageError } = await import('../usage.js');
      throw usageError('--all-envs and --env exclude each other', 'leave one out: --env NAME checks one environment, --all-envs every one');
    }
    // Warnings are shown as every command shows them: a COMPILE_WARNINGS message to the terminal host.
    const host = await terminalHost({ json: argv.json, debug: argv.debug, yes: false, format: 'terminal', ask: false });
    const { reportCompileWarnings } = await import('../../index.js');
    let results: CompileResult[];
    if (argv.env !== undefined) {
      const { compile } = await import('../../index.js');
      results = [await compile({ manifest: argv.manifest, cwd: argv.cwd, env: argv.env })];
    } else {
      const { compileEnvironments } = await import('../../index.js');
      results = (await compileEnvironments({ manifest: argv.manifest, cwd: argv.cwd })).results;
    }
    const first = results[0]!;
    const withEnvs = first.environment !== undefined;
    if (argv.json) {
      if (!withEnvs) printJson({ ok: true, file: first.file, ...summaryJson(first) });
      else printJson({ ok: true, file: first.file, environments: results.map((r) => ({ environment: r.environment, ...summaryJson(r) })) });
      return;
    }
    for (const result of results) {
      reportCompileWarnings(host, result);
      io.err(
        `${c.green('✓')} ${relativeToCwd(result.file)}${result.environment !== undefined ? ` (environment ${c.bold(result.environment)})` : ''} is valid: stack ${result.stackName}, ` +
          `${result.plugins.length} plugin${result.plugins.length === 1 ? '' : 's'}, ${result.stats.resources} resources, ` +
          `${result.configOutputs.length} config outputs`,
      );
    }
  },
};
