/**
 * No import cycles in packages/*\/src: a cycle means two modules cannot be read (or loaded) one
 * after the other. Counts every static import and re-export between a package's own files, type-only
 * ones (`import type`, `export type`, `import { type A }`) included: they are erased at build, but a
 * type cycle still ties the modules together (neither can be read, moved or tested without the
 * other). Put a shared type in a module below both. Fails naming each cycle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name) ? [file] : [];
  });
}

/** The relative modules a file imports, type-only imports and re-exports included. */
export function moduleImports(text: string): string[] {
  const out: string[] = [];
  const statement = /^\s*(?:import|export)\s+(?:type\s+)?[^;'"]*?\s*from\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm;
  for (const m of text.matchAll(statement)) out.push((m[1] ?? m[2])!);
  return out;
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Strongly connected components with more than one file (or a file importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

it('finds a cycle when there is one, type-only imports included', () => {
  expect(
    moduleImports(
      `import { a } from './a.js';\nimport type { B } from './b.js';\nimport { type C } from './c.js';\nexport { d } from './d.js';\nexport type { E } from './e.js';\nimport './f.js';`,
    ),
  ).toEqual(['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js']);
  expect(
    cycles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['a']],
      ]),
    ),
  ).toEqual([['a', 'b', 'c']]);
});

it('packages/*/src has no import cycle', () => {
  const graph = new Map<string, string[]>();
  for (const pkg of readdirSync(path.join(repo, 'packages'))) {
    const src = path.join(repo, 'packages', pkg, 'src');
    try {
      statSync(src);
    } catch {
      continue;
    }
    for (const file of sources(src)) {
      const deps = moduleImports(readFileSync(file, 'utf8'))
        .map((spec) => resolve(file, spec))
        .filter((f): f is string => f !== undefined);
      graph.set(file, deps);
    }
  }
  expect(graph.size).toBeGreaterThan(50);
  const rel = (f: string) => path.relative(repo, f);
  expect(cycles(graph).map((c) => c.map(rel).join(' ↔ '))).toEqual([]);
});
