#!/usr/bin/env node
// Bundle the CLI (dist/cli/main.js and everything it imports) into one CommonJS file,
// dist-cli/mfinfra.cjs, with esbuild. A cold `mfinfra validate` is dominated by loading and compiling
// JavaScript: one file instead of ~60 modules cuts module loading, and being a classic script lets
// the launcher (bin/mfinfra.js) keep V8's compiled code in a cache between runs. The AWS SDK,
// handlebars and jiti stay external: `require`d only by the commands that need them. So does
// TypeScript: cosmiconfig's loader for .ts config files imports it, but mfinfra's manifest is YAML
// only, and bundling it tripled the bundle (test/startup.test.ts keeps the bundle small).
// The resource database behind cloudformation-diff is not loaded at all: the table the preview needs
// is extracted here, at build time (dist/preview/resource-spec.json, read by dist/ and dist-cli/).
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * The preview's parts of cloudformation-diff (its IAM and security-group tables) are bundled:
 * dist/preview/cfnDiffLibrary.js becomes plain requires, which esbuild bundles (evaluated only when
 * a change touches a policy or a rule). Their `@aws-cdk/aws-service-spec` import (the resource
 * database, which those parts never query) becomes a stub that says so if it ever is.
 */
function securityDiffBundled() {
  const loader = path.join(pkg, 'dist/preview/cfnDiffLibrary.js');
  return {
    name: 'security-diff-bundled',
    setup(b) {
      b.onLoad({ filter: /[\\/]cfnDiffLibrary\.js$/ }, (args) =>
        args.path === loader
          ? {
              contents: `export function loadSecurityDiff() {
                return {
                  iam: require('@aws-cdk/cloudformation-diff/lib/iam/iam-changes.js'),
                  securityGroups: require('@aws-cdk/cloudformation-diff/lib/network/security-group-changes.js'),
                };
              }`,
              loader: 'js',
            }
          : undefined,
      );
      b.onResolve({ filter: /^@aws-cdk\/aws-service-spec$/ }, () => ({ path: 'aws-service-spec', namespace: 'mfinfra-stub' }));
      b.onLoad({ filter: /.*/, namespace: 'mfinfra-stub' }, () => ({
        contents: `exports.loadAwsServiceSpecSync = () => { throw new Error('the mfinfra CLI does not bundle the resource database; see preview/resourceSpec.ts'); };`,
        loader: 'js',
      }));
    },
  };
}

/**
 * cliui (yargs' help layout) puts an option's `[boolean] [default: false]` on the description's line
 * when it fits, but also when the description ends exactly where it starts: `...leave out[boolean]`.
 * It must leave a space: `<` becomes `<=` in renderInline. The build fails if cliui changes there.
 */
function cliuiInlineSpace() {
  const needle = 'if (leadingWhitespace < targetTextWidth) {';
  return {
    name: 'cliui-inline-space',
    setup(b) {
      b.onLoad({ filter: /[\\/]cliui[\\/]build[\\/]lib[\\/]index\.js$/ }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(needle)) throw new Error(`cliui changed: "${needle}" not found in ${args.path}; review the help layout fix`);
        return { contents: source.replace(needle, 'if (leadingWhitespace <= targetTextWidth) {'), loader: 'js' };
      });
    },
  };
}

// The resource spec table (src/preview/resourceSpec.ts), extracted from the database once, here.
const { extractResourceSpec, RESOURCE_SPEC_FILE } = await import(path.join(pkg, 'dist/preview/resourceSpec.js'));
const specTable = JSON.stringify(extractResourceSpec());

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(pkg, 'dist/cli/main.js')],
  outfile: path.join(outdir, 'mfinfra.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*', 'jiti', 'handlebars', 'typescript'],
  // The sources use import.meta.url to find package.json and to resolve packages; in a CommonJS file
  // that is the file's own URL.
  define: { 'import.meta.url': '__mfinfraFileUrl' },
  banner: { js: 'const __mfinfraFileUrl = require("node:url").pathToFileURL(__filename).href;' },
  // Code run from V8's cache cannot call import() (Node 20 needs --experimental-vm-modules for that):
  // lower import() to require(); every external has a CommonJS build. ES-module plugins are
  // imported through the launcher's globalThis.__mfinfraImport (src/load/loadPlugins.ts).
  supported: { 'dynamic-import': false },
  plugins: [fastStringWidth(path.join(pkg, 'scripts/string-width-fast.mjs')), securityDiffBundled(), cliuiInlineSpace()],
  minify: true,
  keepNames: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
// Next to the modules that read it: dist/preview/resourceSpec.js, and the bundle (dist-cli/mfinfra.cjs).
writeFileSync(path.join(pkg, 'dist/preview', RESOURCE_SPEC_FILE), specTable);
mkdirSync(outdir, { recursive: true });
writeFileSync(path.join(outdir, RESOURCE_SPEC_FILE), specTable);
