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
  'from-stack'?: string;
  'from-config'?: string;
  'private-networking': boolean;
  profile?: string;
  'endpoint-url'?: string;
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
      .option('from-stack', {
        type: 'string',
        describe:
          'write the manifest equivalent to this deployed stack of the official Metaflow template, keeping its bucket and table (docs/migrate.md)',
      })
      .option('from-config', {
        type: 'string',
        describe:
          'write a manifest that reuses everything this Metaflow config names (a file or folder; with no value, $METAFLOW_HOME/config.json or config_<METAFLOW_PROFILE>.json); lists keys it cannot map',
      })
      .option('private-networking', {
        type: 'boolean',
        default: false,
        describe: 'with --from-stack: workloads in private subnets behind NAT gateways',
      })
      .option('profile', { type: 'string', describe: 'with --from-stack: AWS profile (shared config / SSO)' })
      .option('endpoint-url', { type: 'string', describe: 'with --from-stack: send AWS calls here (LocalStack, moto)' })
      .example('$0 init --from-stack metaflow --region us-west-2', 'a manifest for the official-template stack metaflow')
      .example(
        '$0 init --from-config ~/.metaflowconfig/config.json --region us-west-2',
        'a manifest reusing what that Metaflow config names',
      )
      .example(
        '$0 init infra --stack-name metaflow-prod --region us-west-2 --plugins datastore,network,batch --yes',
        'write infra/metaflow.infra.yaml without questions',
      ),
  handler: async (argv) => {
    if (argv['from-stack']) return initFromStackCommand(argv, argv['from-stack']);
    if (argv['from-config'] !== undefined) return initFromConfigCommand(argv, argv['from-config']);
    const { assertNoManifest, checkPluginNames, DEFAULT_PLUGINS, fail, initProject, parsePluginList } = await import('../../index.js');
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
      const dir = path.resolve(argv.cwd ?? process.cwd(), argv.dir ?? '.');
      await assertNoManifest(dir);
      const { askInitAnswers } = await import('../../index.js');
      answers = await askInitAnswers(given, defaults, {
        input: process.stdin,
        output: process.stderr,
        terminal: true,
        checkPlugins: (plugins) => checkPluginNames(plugins, dir),
      });
    } else {
      throw fail.USAGE('mfinfra init needs --yes (or --stack-name, --region and --plugins) when it cannot ask on a terminal', {
        hint: 'e.g. mfinfra init --stack-name metaflow-prod --region us-west-2 --plugins datastore,network,batch --yes',
      });
    }
    const result = await initProject({ dir: argv.dir, cwd: argv.cwd, ...answers });
    if (argv.json) {
      const { text: _text, ...rest } = result;
      return printJson({ ok: true, ...rest });
    }
    const c = paint(io.color);
    const ok = c.green('✓');
    const rel = (f: string) => relativeToCwd(f);
    io.err(`${ok} wrote ${rel(result.manifestFile)} (stack ${result.stackName}; plugins ${result.plugins.join(', ')})`);
    for (const a of result.added) io.err(c.dim(`    added ${a.plugin}: ${a.neededBy} needs it`));
    io.err(`${ok} wrote ${rel(result.schemaFile)} (its $schema line points editors at it, to complete and check the manifest)`);
    const pkg = result.packageJson;
    const { getCliPackage, VERSION } = await import('../../index.js');
    const version = getCliPackage()?.version ?? VERSION;
    if (pkg.written) io.err(`${ok} wrote ${rel(pkg.file)} (pins mfinfra ${version}, so everyone and CI run the same version)`);
    else if (!pkg.listsMfinfra) io.err(c.yellow(`  ${rel(pkg.file)} does not list mfinfra; pin it: npm install -D mfinfra@${version}`));
    if (result.gitignore.added.length) io.err(`${ok} added ${result.gitignore.added.join(', ')} to ${rel(result.gitignore.file)}`);
    io.err(
      c.dim(
        '  .mfinfra/state/ is not committed: it holds the template last applied from this machine (for plan --offline);\n' +
          '  the deployed stack is the source of truth, and mfinfra plan compares with it',
      ),
    );
    const firstPartyMissing = result.missing.filter((m) => m.packageName?.startsWith('@mfinfra/'));
    const otherMissing = result.missing.filter((m) => !m.packageName?.startsWith('@mfinfra/'));
    if (firstPartyMissing.length) {
      io.err(
        c.yellow(`  not installed: ${firstPartyMissing.map((m) => m.plugin).join(', ')} (their sections are not in the schema file yet)`) +
          `\n  install mfinfra, which brings every first-party plugin: ${pkg.written ? 'npm install' : `npm install -D mfinfra@${version}`}` +
          `\n  then refresh the schema: mfinfra schema ${rel(result.manifestFile)} --out ${rel(result.schemaFile)}`,
      );
    }
    if (otherMissing.length) {
      io.err(
        c.yellow(
          `  could not load: ${otherMissing.map((m) => m.plugin).join(', ')}; mfinfra validate ${rel(path.dirname(result.manifestFile))} says why`,
        ),
      );
    }
    const folder = path.dirname(result.manifestFile);
    const where = path.resolve(process.cwd()) === folder ? '' : rel(folder);
    io.err('next:');
    if (where && pkg.written) io.err(`  cd ${where}`);
    const target = where && !pkg.written ? ` ${where}` : '';
    if (pkg.written) {
      io.err('  npm install                # the pinned mfinfra and its plugins, from the npm registry');
      io.err(c.dim('                             # (from a checkout instead: npm install -D the packed tarballs; see the README)'));
    }
    io.err(`  npx mfinfra validate${target}       # check the manifest (no AWS needed)`);
    io.err(`  npx mfinfra plan --offline${target} # preview what apply would create (no AWS needed)`);
  },
};

/** `mfinfra init --from-config [path]`: read Metaflow's config, write a manifest of existing: sections, list what was not mapped. */
async function initFromConfigCommand(argv: Args, fromConfig: string): Promise<void> {
  const { io } = cli();
  const c = paint(io.color);
  const { initFromConfig } = await import('../../index.js');
  const out = await initFromConfig({
    config: fromConfig,
    dir: argv.dir,
    cwd: argv.cwd,
    ...(argv.stackName ? { stackName: argv.stackName } : {}),
    ...(argv.region ? { region: argv.region } : {}),
  });
  if (argv.json) {
    const { text: _text, ...rest } = out;
    return printJson({ ok: true, ...rest });
  }
  io.err(
    `${c.green('✓')} wrote ${relativeToCwd(out.manifestFile)} from ${relativeToCwd(out.configFile)} (plugins ${out.plugins.join(', ')})`,
  );
  for (const m of out.mapped) io.err(`  ${c.green('=')} ${m.key} → ${m.to}`);
  if (out.unmapped.length) io.err(c.yellow(`  ${out.unmapped.length} key${out.unmapped.length === 1 ? '' : 's'} not mapped:`));
  for (const u of out.unmapped) io.err(`  ${c.yellow('-')} ${u.key}: ${u.why}`);
  io.err('next:');
  io.err('  npx mfinfra validate   # check the manifest (no AWS needed)');
  io.err('  npx mfinfra plan       # checks every name and ARN against AWS before anything else');
}

/** `mfinfra init --from-stack NAME`: read the stack, write the manifest, print the report. */
async function initFromStackCommand(argv: Args, fromStack: string): Promise<void> {
  const { io } = cli();
  const c = paint(io.color);
  const { initFromStack, loadAwsClients } = await import('../../index.js');
  const clients = await loadAwsClients({ region: argv.region, profile: argv.profile, endpointUrl: argv['endpoint-url'] });
  const out = await initFromStack({
    fromStack,
    region: clients.region,
    cfn: clients.cloudFormation,
    dir: argv.dir,
    cwd: argv.cwd,
    ...(argv.stackName ? { stackName: argv.stackName } : {}),
    privateNetworking: argv['private-networking'],
  });
  if (argv.json) {
    const { text: _text, ...rest } = out;
    return printJson({ ok: true, ...rest });
  }
  io.err(`${c.green('✓')} wrote ${relativeToCwd(out.manifestFile)} from stack ${fromStack} (plugins ${out.plugins.join(', ')})`);
  const mark = { kept: c.green('='), changed: c.yellow('~'), added: c.green('+'), dropped: c.red('-') };
  for (const line of out.report) io.err(`  ${mark[line.kind]} ${line.kind.padEnd(7)} ${line.what}`);
  io.err('next:');
  io.err('  npx mfinfra validate && npx mfinfra plan --offline   # check the manifest (no AWS needed)');
  io.err(`  npx mfinfra migrate --from-stack ${fromStack}          # move the deployment, step by step (docs/migrate.md)`);
}
