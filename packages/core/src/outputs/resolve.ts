import type { CompileResult } from '../compile/compile.js';
import { fail } from '../errors.js';

/** Shown instead of a secret value in every printed output. */
export const REDACTED = '<redacted>';

export interface ResolvedValues {
  /** METAFLOW_* key → value (non-empty strings only), including secrets. */
  values: Record<string, string>;
  secretKeys: Set<string>;
}

/**
 * Resolve each config output: the literal known at compile time, else the stack Output that carries
 * it. Every missing Output is reported in one error naming the key and the Output.
 */
export function resolveConfigValues(compiled: CompileResult, stackOutputs: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const c of compiled.configOutputs) {
    const value = c.literal ?? stackOutputs[c.outputName];
    if (value === undefined) {
      missing.push(`${c.key} (stack output ${c.outputName}, from ${c.plugin})`);
      continue;
    }
    if (value !== '') values[c.key] = value;
  }
  if (missing.length) {
    throw fail.OUTPUT_MISSING(
      `stack ${compiled.stackName} has no output for ${missing.length === 1 ? missing[0] : `these config keys: ${missing.join(', ')}`}`,
      {
        hint: 'the deployed stack is older than the manifest: run `mfinfra apply` first, or check the stack name and region',
      },
    );
  }
  return sortRecord(values);
}

/** Replace secret values in a text (every occurrence of each secret). */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join(REDACTED);
  return out;
}

export function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k]!;
  return out;
}
