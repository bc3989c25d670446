import path from 'node:path';
import { ErrorCode, ExitCode, MfinfraError, type Diagnostic } from '../index.js';
import { paint } from './io.js';

function where(d: { loc?: { file: string; line: number; column: number } }, cwd: string): string | undefined {
  if (!d.loc) return undefined;
  const rel = path.relative(cwd, d.loc.file);
  const file = rel && !rel.startsWith('..') ? rel : d.loc.file;
  return `${file}:${d.loc.line}:${d.loc.column}`;
}

function renderDiagnostic(d: Diagnostic, color: boolean, cwd: string): string {
  const c = paint(color);
  const lines: string[] = [];
  const mark = d.severity === 'warning' ? c.yellow('warning') : c.red('error');
  const who = [d.plugin, d.hook && `hook ${d.hook}`].filter(Boolean).join(', ');
  lines.push(`${mark} ${c.bold(d.message)}${who ? c.dim(`  [${who}]`) : ''}`);
  const at = where(d, cwd);
  const code = d.pluginCode ?? d.code;
  // The code in parentheses: on the position line when there is one, else on the message line.
  if (at) lines.push(`  at ${c.cyan(at)}${code ? c.dim(`  (${code})`) : ''}`);
  else if (code) lines[0] += c.dim(`  (${code})`);
  if (d.frame)
    lines.push(
      d.frame
        .split('\n')
        .map((l) => '  ' + l)
        .join('\n'),
    );
  if (d.hint) lines.push(`  ${c.yellow('hint:')} ${d.hint}`);
  return lines.join('\n');
}

/** Format any error for a human: message, position and frame, hint; a stack trace only with debug. */
export function renderError(e: unknown, options: { color: boolean; debug: boolean; cwd?: string }): string {
  const cwd = options.cwd ?? process.cwd();
  const c = paint(options.color);
  if (MfinfraError.is(e) && e.code === ErrorCode.ABORTED) {
    // The user said no (or pressed Ctrl-C): not a failure, so no "error" and no code.
    return `${c.yellow('aborted:')} ${e.message}` + (e.hint ? `\n  ${c.yellow('hint:')} ${e.hint}` : '');
  }
  if (MfinfraError.is(e)) {
    const parts: string[] = [];
    if (e.diagnostics.length > 1 || (e.diagnostics.length === 1 && e.diagnostics[0]!.message !== e.message)) {
      parts.push(`${c.red('error')} ${c.bold(e.message)}`);
      for (const d of e.diagnostics) parts.push(renderDiagnostic(d, options.color, cwd));
    } else {
      const d: Diagnostic = e.diagnostics[0] ?? {
        code: e.code,
        severity: 'error',
        message: e.message,
        loc: e.loc,
        frame: e.frame,
        hint: e.hint,
        plugin: e.plugin,
        hook: e.hook,
        pluginCode: e.pluginCode,
      };
      parts.push(renderDiagnostic({ ...d, code: d.code ?? e.code }, options.color, cwd));
    }
    for (const w of e.warnings) parts.push(renderDiagnostic(w, options.color, cwd));
    if (options.debug) {
      const cause = (e as { cause?: unknown }).cause;
      parts.push(c.dim((cause instanceof Error ? cause.stack : undefined) ?? e.stack ?? ''));
    }
    return parts.join('\n\n');
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const lines = [`${c.red('error')} ${c.bold(`unexpected failure: ${err.message}`)}`];
  lines.push(options.debug ? c.dim(err.stack ?? '') : c.dim('  run again with --debug for the stack trace, and report it if it persists'));
  return lines.join('\n');
}

export function exitCodeOf(e: unknown): number {
  return MfinfraError.is(e) ? e.exitCode : ExitCode.FAILURE;
}

export function renderWarnings(warnings: readonly Diagnostic[], color: boolean, cwd = process.cwd()): string {
  return warnings.map((w) => renderDiagnostic(w, color, cwd)).join('\n\n');
}
