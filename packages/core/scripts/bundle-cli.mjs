#!/usr/bin/env node
// Bundle the CLI (dist/cli/main.js and everything it imports) into one CommonJS file,
// dist-cli/mfinfra.cjs, with esbuild. A cold `mfinfra validate` is dominated by loading and compiling
// JavaScript: one file instead of ~60 modules cuts module loading, and being a classic script lets
// the launcher (bin/mfinfra.js) keep V8's compiled code in a cache between runs. The AWS SDK,
// cloudformation-diff, handlebars and jiti stay external: `require`d only by the commands that need them.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(pkg, 'dist-cli');

/**
 * Route the `string-width` that yargs and cliui import through an ASCII fast path
 * (scripts/string-width-fast.mjs), which itself imports the real one from where yargs found it.
 */
function fastStringWidth(wrapper) {
  let realFrom;
  return {
    name: 'fast-string-width',
    setup(b) {
      b.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData === 'real') return undefined;
        if (args.importer !== wrapper) {
          realFrom ??= args.resolveDir;
          return { path: wrapper };
        }
        return b.resolve('string-width', { kind: args.kind, resolveDir: realFrom, pluginData: 'real' });
      });
    },
  };
}

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(pkg, 'dist/cli/main.js')],
  outfile: path.join(outdir, 'mfinfra.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*', '@aws-cdk/*', 'jiti', 'handlebars'],
  // The sources use import.meta.url to find package.json and to resolve packages; in a CommonJS file
  // that is the file's own URL.
  define: { 'import.meta.url': '__mfinfraFileUrl' },
  banner: { js: 'const __mfinfraFileUrl = require("node:url").pathToFileURL(__filename).href;' },
  // Code run from V8's cache cannot call import() (Node 20 needs --experimental-vm-modules for that):
  // lower import() to require(); every external has a CommonJS build. ES-module plugins are
  // imported through the launcher's globalThis.__mfinfraImport (src/plugins/load.ts).
  supported: { 'dynamic-import': false },
  plugins: [fastStringWidth(path.join(pkg, 'scripts/string-width-fast.mjs'))],
  minify: true,
  keepNames: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
