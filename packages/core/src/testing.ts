/**
 * Test helpers for plugin authors (`@mfinfra/core/testing`):
 *
 * ```ts
 * import { compileManifest } from '@mfinfra/core/testing';
 * const result = await compileManifest(manifestYaml, { plugins: { gpu: myPlugin } });
 * expect(result.template.Resources.GpuQueue.Type).toBe('AWS::Batch::JobQueue');
 * ```
 */
import { compile, type CompileResult } from './compile/compile.js';
import { MfinfraError } from './errors.js';
import type { Plugin } from './plugin.js';

export interface CompileManifestOptions {
  /** Plugin objects for `plugins:` entries (others are resolved from `cwd` as usual). */
  plugins?: Readonly<Record<string, Plugin<any, any>>>;
  /** Folder the manifest is taken to live in (for resolving packages and relative paths). */
  cwd?: string;
  format?: 'json' | 'yaml';
}

/** Compile manifest text in memory. Throws the same MfinfraError the CLI would report. */
export function compileManifest(manifestYaml: string, options: CompileManifestOptions = {}): Promise<CompileResult> {
  return compile({ text: manifestYaml, cwd: options.cwd, inlinePlugins: options.plugins, format: options.format });
}

/** Compile and return the error it fails with (fails the test if it compiles). */
export async function compileError(manifestYaml: string, options: CompileManifestOptions = {}): Promise<MfinfraError> {
  try {
    await compileManifest(manifestYaml, options);
  } catch (e) {
    if (MfinfraError.is(e)) return e;
    throw e;
  }
  throw new Error('expected the manifest to fail to compile, but it compiled');
}

export { MfinfraError };
