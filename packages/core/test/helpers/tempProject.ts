import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The examples' node_modules: the first-party plugins resolve from there. */
export const examplesNodeModules = path.resolve(here, '../../../../examples/node_modules');

/**
 * A fresh folder under the system temp dir holding `files` (path → text), where the first-party
 * plugins resolve by short name (node_modules links to the examples' one). Returns the folder.
 */
export function tempProject(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-input-'));
  symlinkSync(examplesNodeModules, path.join(dir, 'node_modules'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A manifest with the datastore plugin; `extra` is appended (more sections, or datastore keys). */
export function datastoreManifest(extra = '', datastore = '  sysroot: metaflow\n'): string {
  return `version: 1\nstack:\n  name: input-test\n  region: us-west-2\nplugins: [datastore]\ndatastore:\n${datastore}${extra}`;
}
