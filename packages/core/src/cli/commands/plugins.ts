import type { CommandModule } from 'yargs';
import { cli, printJson, type GlobalArgs } from '../context.js';
import { paint } from '../io.js';
import { relativeToCwd, withManifest } from './shared.js';

interface Args extends GlobalArgs {
  manifest?: string;
}

function foundLabel(from: 'path' | 'manifest' | 'cli'): string {
  return from === 'path' ? 'path' : from === 'manifest' ? 'beside manifest' : 'with the CLI';
}

export const pluginsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'plugins [manifest]',
  describe: 'List the plugins the manifest loads: name, section, version, source, load time, dependencies',
  builder: (y) => withManifest(y),
  handler: async (argv) => {
    const { getCliPackage, listPlugins } = await import('../../index.js');
    const { file, plugins } = await listPlugins({ manifest: argv.manifest, cwd: argv.cwd, env: argv.env });
    if (argv.json) return printJson({ file, plugins });
    const { io } = cli();
    const c = paint(io.color);
    const rows = plugins.map((p) => [
      p.name,
      p.key,
      p.version ?? '-',
      `${p.loadMs.toFixed(1)} ms`,
      p.requires.length || p.uses.length ? [...p.requires, ...p.uses.map((u) => `${u}?`)].join(', ') : '-',
      p.kind === 'local' ? relativeToCwd(p.source) : `${p.packageName ?? p.spec}`,
      foundLabel(p.resolvedFrom),
    ]);
    const header = ['plugin', 'section', 'version', 'load', 'needs', 'from', 'found'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    io.out(`${relativeToCwd(file)}: ${plugins.length} plugin${plugins.length === 1 ? '' : 's'} in run order`);
    io.out(c.bold(line(header)));
    for (const r of rows) io.out(line(r));
    const cliPackage = getCliPackage();
    const cliName = cliPackage ? `${cliPackage.name} ${cliPackage.version}` : '@mfinfra/core';
    io.out(
      c.dim(
        `found: beside the manifest (its folder's node_modules or a folder above) first, then the running ${cliName}'s own dependencies; ./paths from the manifest's folder`,
      ),
    );
    for (const p of plugins.filter((p) => p.resolvedFrom === 'cli')) io.out(c.dim(`  ${p.spec}: ${p.resolution}`));
    const slow = plugins.filter((p) => p.loadMs > 200);
    for (const p of slow) io.err(c.yellow(`note: ${p.name} took ${p.loadMs.toFixed(0)} ms to load`));
  },
};
