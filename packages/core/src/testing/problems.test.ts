import { describe, expect, it } from 'vitest';
import { ErrorCode, MfinfraError } from '../errors.js';
import { definePlugin } from '../plugin.js';
import { compileError, errorOf, problems } from '../testing.js';
import { diagnosticsOf, problemsOf } from './problems.js';

const queue = definePlugin<{ size: number }>({
  name: 'test:queue',
  apiVersion: 1,
  key: 'queue',
  schema: { type: 'object', properties: { size: { type: 'integer' } }, additionalProperties: false },
  check: (ctx, o) => {
    if (o.size > 10) ctx.report('size must be at most 10', { path: ['size'], hint: 'use 10', code: 'QUEUE_TOO_BIG' });
  },
});
const manifest = (section: string) => `version: 1\nstack: { name: mf-test, region: us-west-2 }\nplugins: [queue]\nqueue:\n${section}`;

describe('problems', () => {
  it('lists each diagnostic with its code, plugin code, file:line:column, message and hint', async () => {
    expect(await problems(manifest('  size: 11\n'), { plugins: { queue } })).toEqual([
      {
        code: ErrorCode.MANIFEST_INVALID,
        pluginCode: 'QUEUE_TOO_BIG',
        at: 'metaflow.infra.yaml:5:9',
        message: 'size must be at most 10',
        hint: 'use 10',
      },
    ]);
  });

  it('treats an error without diagnostics as its one problem', () => {
    const e = new MfinfraError('X_FAILED', 'it failed', { hint: 'try again', path: 'queue' });
    expect(diagnosticsOf(e)).toEqual([{ severity: 'error', code: 'X_FAILED', message: 'it failed', hint: 'try again', path: 'queue' }]);
    expect(problemsOf(e)).toEqual([{ code: 'X_FAILED', at: undefined, message: 'it failed', hint: 'try again' }]);
  });

  it('keeps every diagnostic of an error that has several, in order', async () => {
    const e = await compileError(manifest('  colour: red\nextra: 1\n'), { plugins: { queue } });
    expect(diagnosticsOf(e)).toBe(e.diagnostics);
    expect(problemsOf(e)).toEqual([
      {
        code: 'MANIFEST_INVALID',
        at: 'metaflow.infra.yaml:5:3',
        message: 'unknown key "colour" in queue',
        hint: 'allowed keys here: size',
      },
      {
        code: 'MANIFEST_INVALID',
        at: 'metaflow.infra.yaml:6:1',
        message: 'unknown top-level key "extra"',
        hint: 'allowed keys here: version, stack, plugins, outputs, queue',
      },
    ]);
  });
});

describe('errorOf', () => {
  it('returns the MfinfraError, fails when there is none, rethrows other errors', async () => {
    const e = new MfinfraError('X', 'x');
    expect(await errorOf(Promise.reject(e))).toBe(e);
    await expect(errorOf(Promise.resolve(1), 'expected it to fail')).rejects.toThrow('expected it to fail');
    await expect(errorOf(Promise.reject(new TypeError('boom')))).rejects.toThrow('boom');
  });
});
