import type { CommandModule } from 'yargs';
import { cli, type GlobalArgs } from '../context.js';
import { refuseEmptyOut, withManifest, withOut, writeOut } from './shared.js';

interface Args extends GlobalArgs {
  manifest?: string;
  out?: string;
}

export const schemaCommand: CommandModule<GlobalArgs, Args> = {
  command: 'schema [manifest]',
  describe: "Print the merged JSON Schema of the manifest (core + each plugin's section) for editors",
  builder: (y) =>
    withOut(withManifest(y), 'write the schema to this file instead of stdout').example(
      '$0 schema --out metaflow.infra.schema.json',
      'then add `# yaml-language-server: $schema=./metaflow.infra.schema.json` to the manifest',
    ),
  handler: async (argv) => {
    await refuseEmptyOut(argv.out, 'schema');
    const { getSchema } = await import('../../index.js');
    const { schema, file } = await getSchema({ manifest: argv.manifest, cwd: argv.cwd });
    const text = JSON.stringify(schema, null, 2) + '\n';
    if (argv.out) {
      // As compile's --out: never over the manifest (exit 2, nothing written).
      await writeOut(argv.out, text, { cwd: argv.cwd, manifest: file });
      cli().io.err(`✓ wrote ${argv.out}`);
    } else cli().io.out(text);
  },
};
