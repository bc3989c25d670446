/**
 * After a destroy: the config files an apply wrote for the stack still point at its (now deleted)
 * resources. Which of them exist, so the CLI can say so.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CompileResult } from '../compile/compile.js';
import { expandHome, metaflowConfigFileName, metaflowHome, parseRecord, recordPathFor } from './metaflowConfig.js';
import type { OutputsSection } from './schema.js';

/** Config files written for `stackName` that still exist: Metaflow's config (when its record names the stack), the env file, the templates' outputs. */
export async function configFilesOf(compiled: CompileResult, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const section = (compiled.manifest.outputs ?? {}) as OutputsSection;
  const baseDir = path.dirname(compiled.file);
  const resolve = (p: string) => path.resolve(baseDir, expandHome(p, env));
  const files: string[] = [];
  if (section.metaflowConfig?.enabled !== false) {
    const mc = section.metaflowConfig ?? {};
    const file = mc.path ? resolve(mc.path) : path.join(metaflowHome(env), metaflowConfigFileName(mc.profile));
    const record = parseRecord(await readFile(recordPathFor(file), 'utf8').catch(() => undefined));
    if (existsSync(file) && record?.stack === compiled.stackName) files.push(file);
  }
  const envFile = typeof section.envFile === 'string' ? section.envFile : section.envFile?.path;
  if (envFile && existsSync(resolve(envFile))) files.push(resolve(envFile));
  for (const f of section.files ?? []) if (existsSync(resolve(f.path))) files.push(resolve(f.path));
  return files;
}
