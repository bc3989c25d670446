/** ARCHITECTURE.md names every folder of packages/core/src, and no folder that is not there. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it("ARCHITECTURE.md's folder table matches packages/core/src", () => {
  const src = path.join(repo, 'packages/core/src');
  const folders = readdirSync(src)
    .filter((name) => statSync(path.join(src, name)).isDirectory())
    .sort();
  const text = readFileSync(path.join(repo, 'ARCHITECTURE.md'), 'utf8');
  const table = text.slice(text.indexOf('## Folders of `packages/core/src`'));
  const named = [...table.slice(0, table.indexOf('\n## ', 3)).matchAll(/^\| `([a-z]+)\/`/gm)].map((m) => m[1]).sort();
  expect(named).toEqual(folders);
});

/** Every module a file names: static imports and re-exports (type-only ones too), and import(). */
function specifiers(text: string): string[] {
  return [...text.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm)].map(
    (m) => (m[1] ?? m[2] ?? m[3])!,
  );
}

/** `from` → folders of packages/core/src it imports from: `{ 'outputs/write.ts': ['deploy'] }`. */
function foldersImported(folder: string): Record<string, string[]> {
  const src = path.join(repo, 'packages/core/src');
  const out: Record<string, string[]> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name)) {
        const folders = specifiers(readFileSync(file, 'utf8'))
          .filter((s) => s.startsWith('.'))
          .map((s) => path.relative(src, path.resolve(path.dirname(file), s)).split(path.sep)[0]!)
          .filter((f) => f !== folder);
        if (folders.length) out[path.relative(src, file)] = [...new Set(folders)].sort();
      }
    }
  };
  walk(path.join(src, folder));
  return out;
}

it('outputs/ and deploy/ do not import each other (the actions join them)', () => {
  // The scan sees an import between folders where there is one (actions/ uses both).
  expect(specifiers("import type { A } from '../a.js';\nexport { b } from './b.js';\nawait import('../c.js');")).toEqual([
    '../a.js',
    './b.js',
    '../c.js',
  ]);
  expect(Object.values(foldersImported('actions')).flat()).toEqual(expect.arrayContaining(['deploy', 'outputs']));
  const crossing = (from: string, to: string) =>
    Object.entries(foldersImported(from))
      .filter(([, folders]) => folders.includes(to))
      .map(([file]) => file);
  expect(crossing('outputs', 'deploy')).toEqual([]);
  expect(crossing('deploy', 'outputs')).toEqual([]);
});

it('compile, init, plugins list, compileEnvironments and the public API take the front half only from load/index.ts', () => {
  const src = path.join(repo, 'packages/core/src');
  const files = [
    ...readdirSync(path.join(src, 'compile')).map((f) => `compile/${f}`),
    ...readdirSync(path.join(src, 'init')).map((f) => `init/${f}`),
    'plugins/list.ts',
    'environments/all.ts',
    'index.ts',
  ].filter((f) => /\.ts$/.test(f) && !/\.(test|d)\.ts$/.test(f));
  const deep = files.flatMap((f) =>
    specifiers(readFileSync(path.join(src, f), 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => path.relative(src, path.resolve(path.dirname(path.join(src, f)), s)))
      .filter((target) => target.startsWith(`load${path.sep}`) && target !== path.join('load', 'index.js'))
      .map((target) => `${f} → ${target}`),
  );
  expect(files).toContain('compile/compile.ts');
  expect(deep).toEqual([]);
});
