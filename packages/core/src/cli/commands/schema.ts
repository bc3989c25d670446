import type { CommandModule } from 'yargs';
import { cli, type GlobalArgs } from '../context.js';
import { withManifest } from './shared.js';

interface Args extends GlobalArgs {
  manifest?: string;
  out?: string;
}

export const schemaCommand: CommandModule<GlobalArgs, Args> = {
  command: 'schema [manifest]',
  describe: "Print the merged JSON Schema of the manifest (core + each plugin's section) for editors",
  builder: (y) =>
    withManifest(y)
      .option('out', { alias: 'o', type: 'string', describe: 'write the schema to this file instead of stdout' })
      .example(
        '$0 schema --out metaflow.infra.schema.json',
        'then add `# yaml-language-server: $schema=./metaflow.infra.schema.json` to the manifest',
      ),
  handler: async (argv) => {
    const { getSchema } = await import('../../index.js');
    const { schema } = await getSchema({ manifest: argv.manifest, cwd: argv.cwd });
    const text = JSON.stringify(schema, null, 2) + '\n';
    if (argv.out) {
      const { writeFileAtomic } = await import('../../index.js');
      await writeFileAtomic(argv.out, text);
      cli().io.err(`✓ wrote ${argv.out}`);
    } else cli().io.out(text);
  },
};
