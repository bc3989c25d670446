#!/usr/bin/env node
// Bundle the CLI (dist/cli/main.js and everything it imports) into dist-cli/ with esbuild. One file
// per lazily imported command instead of ~60 small modules roughly halves Node's module loading
// time, which dominates a cold `mfinfra validate`. The AWS SDK, cloudformation-diff and jiti stay
// external (loaded only by the commands that need them, from node_modules).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(pkg, 'dist-cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(pkg, 'dist/cli/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*', '@aws-cdk/*', 'jiti', 'handlebars'],
  banner: {
    js: "import { createRequire as __mfinfraCreateRequire } from 'node:module'; const require = __mfinfraCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
  minify: true,
  sourcemap: true,
  keepNames: true,
});
