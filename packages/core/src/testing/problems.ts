/**
 * An MfinfraError as the user sees it, for asserting errors whole (inline snapshots): every
 * problem with its code, where it points and what it says.
 */
import path from 'node:path';
import type { Diagnostic, MfinfraError } from '../errors.js';

/** The error's diagnostics; an error without any (a single problem) as its one diagnostic. */
export function diagnosticsOf(error: MfinfraError): Diagnostic[] {
  if (error.diagnostics.length) return error.diagnostics;
  const { code, message, loc, path: at, frame, hint, plugin, hook, pluginCode } = error;
  const optional = { loc, path: at, frame, hint, plugin, hook, pluginCode };
  const set = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return [{ severity: 'error', code, message, ...set }];
}

/** One problem as printed: `at` is `file:line:column` with the file's base name. */
export interface Problem {
  code: string;
  pluginCode?: string;
  at: string | undefined;
  message: string;
  hint?: string;
}

/** Each of the error's problems as {@link Problem} (pluginCode and hint only when set). */
export function problemsOf(error: MfinfraError): Problem[] {
  return diagnosticsOf(error).map((d) => ({
    code: d.code,
    ...(d.pluginCode ? { pluginCode: d.pluginCode } : {}),
    at: d.loc ? `${path.basename(d.loc.file)}:${d.loc.line}:${d.loc.column}` : undefined,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
  }));
}
