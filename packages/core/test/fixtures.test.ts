/**
 * Fixture-folder compiler suite: each folder under test/fixtures/ holds a metaflow.infra.yaml and
 * either expected.template.json (the whole compiled template) or expected.error.json (the error code,
 * exit code and every diagnostic with its position). Regenerate after a deliberate change with
 * `UPDATE_FIXTURES=1 npx vitest run packages/core/test/fixtures.test.ts` and review the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compile/compile.js';
import { MfinfraError } from '../src/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, 'fixtures');
const update = process.env.UPDATE_FIXTURES === '1';
const cases = readdirSync(root).filter((d) => !d.startsWith('_') && existsSync(path.join(root, d, 'metaflow.infra.yaml')));

/** The error as data, with this checkout's absolute paths replaced so the fixture is portable. */
function errorShape(e: MfinfraError, dir: string) {
  const rel = (f?: string) => (f ? path.relative(dir, f) : undefined);
  const repo = path.resolve(here, '../../..');
  const shape = {
    code: e.code,
    exitCode: e.exitCode,
    message: e.message,
    ...(e.plugin ? { plugin: e.plugin, hook: e.hook } : {}),
    diagnostics: (e.diagnostics.length ? e.diagnostics : [{ ...e, severity: 'error' as const }]).map((d) => ({
      code: d.code,
      message: d.message,
      ...(d.loc ? { at: `${rel(d.loc.file)}:${d.loc.line}:${d.loc.column}` } : {}),
      ...(d.path ? { path: d.path } : {}),
      ...(d.plugin ? { plugin: d.plugin } : {}),
      ...(d.hook ? { hook: d.hook } : {}),
      ...(d.pluginCode ? { pluginCode: d.pluginCode } : {}),
      ...(d.hint ? { hint: d.hint } : {}),
    })),
    ...(e.warnings.length
      ? {
          warnings: e.warnings.map((w) => ({
            code: w.code,
            message: w.message,
            at: `${rel(w.loc?.file)}:${w.loc?.line}:${w.loc?.column}`,
            hint: w.hint,
          })),
        }
      : {}),
  };
  return JSON.parse(JSON.stringify(shape).split(repo).join('<repo>')) as unknown;
}

describe('compiler fixtures', () => {
  it('has fixtures', () => expect(cases.length).toBeGreaterThan(10));
  for (const name of cases) {
    it(name, async () => {
      const dir = path.join(root, name);
      const okFile = path.join(dir, 'expected.template.json');
      const errFile = path.join(dir, 'expected.error.json');
      let body: string | undefined;
      let error: unknown;
      try {
        body = (await compile({ manifest: dir })).body;
      } catch (e) {
        error = e;
      }
      if (update) {
        if (body !== undefined) writeFileSync(okFile, body);
        else if (MfinfraError.is(error)) writeFileSync(errFile, JSON.stringify(errorShape(error, dir), null, 2) + '\n');
        else throw error;
      }
      if (existsSync(okFile)) {
        if (error) throw error;
        expect(body).toBe(readFileSync(okFile, 'utf8'));
      } else {
        expect(existsSync(errFile), `${name} needs expected.template.json or expected.error.json`).toBe(true);
        expect(MfinfraError.is(error), `expected an MfinfraError, got ${String(error)}`).toBe(true);
        expect(errorShape(error as MfinfraError, dir)).toEqual(JSON.parse(readFileSync(errFile, 'utf8')));
      }
    });
  }
});
