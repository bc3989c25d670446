#!/usr/bin/env node
// Bundle each first-party plugin into one ES module, dist/index.js (the file its package.json
// exports), with esbuild, after tsc has written dist/ (whose .d.ts files stay the package's types).
// A plugin of ~15 modules loads as one: `mfinfra validate` loads eight plugins, and resolving and
// reading ~100 small files was a third of its start-up (`pnpm bench`, test/startup.test.ts).
// Every bare import stays external: @mfinfra/core/plugin, the AWS SDK (imported lazily by verify
// hooks) and the plugins' own dependencies resolve from the installed package as before.
// The bundle is made from src/ every time, so it is never staler than tsc's other outputs.
// Usage: node scripts/bundle-plugins.mjs [package dir …] (default: every packages/plugin-*).
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dirs =
  process.argv.length > 2
    ? process.argv.slice(2).map((d) => path.resolve(d))
    : readdirSync(path.join(repo, 'packages'))
        .filter((d) => d.startsWith('plugin-'))
        .map((d) => path.join(repo, 'packages', d));

await Promise.all(
  dirs.map((dir) => {
    const entry = path.join(dir, 'src/index.ts');
    if (!existsSync(entry)) throw new Error(`${entry} not found: bundle-plugins takes plugin package folders`);
    return build({
      entryPoints: [entry],
      outfile: path.join(dir, 'dist/index.js'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
  }),
);
