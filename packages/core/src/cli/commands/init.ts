import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { relativeToCwd } from './shared.js';

interface Args extends GlobalArgs {
  dir?: string;
  stackName?: string;
  region?: string;
  plugins?: string[];
  yes: boolean;
}

export const initCommand: CommandModule<GlobalArgs, Args> = {
  command: 'init [dir]',
  describe: 'Write a starter metaflow.infra.yaml (and its JSON Schema for editors); asks on a terminal, takes flags otherwise',
  builder: (y) =>
    y
      .positional('dir', { type: 'string', describe: 'folder to write into (created if missing); default: the working directory' })
      .option('stack-name', { type: 'string', describe: 'CloudFormation stack name (default: metaflow)' })
      .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION, else left to your AWS profile)' })
      .option('plugins', {
        type: 'string',
        array: true,
        describe: 'plugins to list, comma-separated (default: datastore,network,batch,metadata,scheduling)',
      })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask: take defaults for what the flags leave out' })
      .example(
        '$0 init infra --stack-name metaflow-prod --region us-west-2 --plugins datastore,network,batch --yes',
        'write infra/metaflow.infra.yaml without questions',
      ),
  handler: async (argv) => {
    const { assertNoManifest, initProject, parsePluginList } = await import('../../init/init.js');
    const { DEFAULT_PLUGINS } = await import('../../init/sections.js');
    const { ErrorCode, MfinfraError, ExitCode } = await import('../../errors.js');
    const path = await import('node:path');
    const { io } = cli();
    const given = {
      stackName: argv.stackName,
      region: argv.region,
      plugins: argv.plugins === undefined ? undefined : parsePluginList(argv.plugins),
    };
    const envRegion = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
    const defaults = { stackName: 'metaflow', region: envRegion, plugins: [...DEFAULT_PLUGINS] };
    const complete = given.stackName !== undefined && given.region !== undefined && given.plugins !== undefined;
    let answers: { stackName: string; region?: string; plugins: string[] };
    if (argv.yes || complete) {
      answers = {
        stackName: given.stackName ?? defaults.stackName,
        region: given.region ?? defaults.region,
        plugins: given.plugins ?? defaults.plugins,
      };
    } else if (io.isTTY && !argv.json) {
      // Say so before asking three questions, not after.
      await assertNoManifest(path.resolve(argv.cwd ?? process.cwd(), argv.dir ?? '.'));
      const { askInitAnswers } = await import('../../init/prompts.js');
      answers = await askInitAnswers(given, defaults, { input: process.stdin, output: process.stderr, terminal: true });
    } else {
      throw new MfinfraError(
        ErrorCode.USAGE,
        'mfinfra init needs --yes (or --stack-name, --region and --plugins) when it cannot ask on a terminal',
        {
          hint: 'e.g. mfinfra init --stack-name metaflow-prod --region us-west-2 --plugins datastore,network,batch --yes',
          exitCode: ExitCode.USAGE,
        },
      );
    }
    const result = await initProject({ dir: argv.dir, cwd: argv.cwd, ...answers });
    if (argv.json) {
      const { text: _text, ...rest } = result;
      return printJson({ ok: true, ...rest });
    }
    const c = paint(io.color);
    io.err(`${c.green('✓')} wrote ${relativeToCwd(result.manifestFile)} (stack ${result.stackName}; plugins ${result.plugins.join(', ')})`);
    io.err(`${c.green('✓')} wrote ${relativeToCwd(result.schemaFile)} (editors complete and check the manifest with it)`);
    for (const a of result.added) io.err(c.dim(`  added ${a.plugin}: ${a.neededBy} needs it`));
    if (result.missing.length) {
      const packages = result.missing.map((m) => m.packageName).filter(Boolean);
      io.err(
        c.yellow(`  not installed: ${result.missing.map((m) => m.plugin).join(', ')}`) +
          (packages.length ? `\n  install them beside the manifest: npm install -D @mfinfra/core ${packages.join(' ')}` : '') +
          `\n  then refresh the schema: mfinfra schema ${relativeToCwd(result.manifestFile)} --out ${relativeToCwd(result.schemaFile)}`,
      );
    }
    io.err(`next: edit it, then run mfinfra validate ${relativeToCwd(path.dirname(result.manifestFile))}`);
  },
};
