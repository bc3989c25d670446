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
