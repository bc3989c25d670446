/**
 * What the example tests iterate over: every folder of examples/ with a manifest, and for a manifest
 * with `environments:` one entry per environment (`environments@dev`), compiled with that --env.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { declaredEnvironments } from '../../packages/core/src/environments/overlay.js';
import { parseManifest } from '../../packages/core/src/load/source.js';

export interface ExampleTarget {
  /** The folder name, or `<folder>@<environment>`. */
  name: string;
  /** The example's folder under examples/. */
  folder: string;
  dir: string;
  env?: string;
}

export function exampleTargets(examplesDir: string): ExampleTarget[] {
  const out: ExampleTarget[] = [];
  const folders = readdirSync(examplesDir)
    .filter((d) => existsSync(path.join(examplesDir, d, 'metaflow.infra.yaml')))
    .sort();
  for (const folder of folders) {
    const dir = path.join(examplesDir, folder);
    const file = path.join(dir, 'metaflow.infra.yaml');
    const envs = declaredEnvironments(parseManifest(readFileSync(file, 'utf8'), file).data);
    if (!envs) out.push({ name: folder, folder, dir });
    else for (const env of envs) out.push({ name: `${folder}@${env}`, folder, dir, env });
  }
  return out;
}
