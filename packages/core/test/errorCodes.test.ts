import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_KINDS, ErrorCode, ExitCode, fail, kindOf, MfinfraError, restate, type ErrorKind } from '../src/errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** README's "Exit codes" table: exit code → meaning. */
function readmeExitCodes(): Map<number, string> {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Exit codes'));
  const rows = new Map<number, string>();
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('###')) break;
    const m = /^\|\s*(\d+)\s*\|\s*(.*?)\s*\|$/.exec(line);
    if (m) rows.set(Number(m[1]), m[2]!);
  }
  return rows;
}

describe('the error-code registry', () => {
  const kinds = Object.keys(ERROR_KINDS) as ErrorKind[];

  it('gives every code a known kind, and other kinds only where it says so', () => {
    expect(Object.keys(ERROR_CODES).length).toBeGreaterThan(40);
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(kinds, code).toContain(spec.kind);
      expect(spec.means.length, code).toBeGreaterThan(5);
      const also: readonly string[] = 'also' in spec ? spec.also : [];
      for (const k of also) {
        expect(kinds, code).toContain(k);
        expect(k, `${code} lists its own kind again`).not.toBe(spec.kind);
      }
      expect(ErrorCode[code as keyof typeof ErrorCode]).toBe(code);
    }
  });

  it("makes each code's error with the exit code of its kind", () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      const e = fail[code as keyof typeof fail]('it went wrong');
      expect(MfinfraError.is(e)).toBe(true);
      expect(e.code).toBe(code);
      expect(e.kind).toBe(spec.kind);
      expect(e.exitCode, code).toBe(ERROR_KINDS[spec.kind].exitCode);
      expect(e.toJSON()).toEqual({ code, message: 'it went wrong', exitCode: ERROR_KINDS[spec.kind].exitCode });
    }
  });

  it('lets a site give another kind the registry allows, and keeps code and kind when an error is restated', () => {
    const usage = fail.FILE_UNREADABLE('cannot read --against x.json', { kind: 'usage' });
    expect(usage.exitCode).toBe(ExitCode.USAGE);
    const again = restate(usage, 'more context', { hint: 'do this' });
    expect([again.code, again.kind, again.exitCode, again.hint, again.cause]).toEqual([
      'FILE_UNREADABLE',
      'usage',
      ExitCode.USAGE,
      'do this',
      usage,
    ]);
    expect(restate(fail.OUTPUT_UNWRITABLE('x', { kind: 'invalid' }), 'after deploy', { kind: 'runtime' }).exitCode).toBe(ExitCode.FAILURE);
  });

  it("treats a code it does not know (a plugin's own) as invalid, and an old-style exit code as its kind", () => {
    expect(kindOf('NOT_A_GPU_INSTANCE')).toBe('invalid');
    expect(new MfinfraError('NOT_A_GPU_INSTANCE', 'x').exitCode).toBe(ExitCode.INVALID);
    expect(new MfinfraError('AWS_ERROR', 'x', { exitCode: ExitCode.USAGE }).kind).toBe('usage');
  });

  it("matches README's exit-code table: one row per kind, plus success and plan's pending changes", () => {
    const rows = readmeExitCodes();
    const kindCodes = kinds.map((k) => ERROR_KINDS[k].exitCode);
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual([ExitCode.OK, ExitCode.CHANGES_PENDING, ...kindCodes].sort((a, b) => a - b));
    for (const k of kinds) expect(rows.get(ERROR_KINDS[k].exitCode), k).toMatch(new RegExp(`^${ERROR_KINDS[k].means}\\b`));
    expect(rows.get(ExitCode.OK)).toMatch(/^success/);
    expect(rows.get(ExitCode.CHANGES_PENDING)).toMatch(/--detailed-exitcode/);
  });
});
