/**
 * Compile warnings reach the terminal one way (the terminal host's COMPILE_WARNINGS): validate and
 * compile show each environment's warnings before its line, once, on stderr; --json leaves them to the
 * JSON result.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';

const PLUGIN = `export default {
  name: 'test:warner', apiVersion: 1, key: 'warner',
  schema: { type: 'object', properties: { x: { type: 'number' } }, additionalProperties: false },
  check(ctx) { ctx.warn('x is large', { path: ['x'], hint: 'use 1' }); },
  resources: () => ({ Topic: { Type: 'AWS::SNS::Topic', Properties: {} } }),
};
`;

function project(environments: boolean): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-warnings-'));
  writeFileSync(path.join(dir, 'warn.mjs'), PLUGIN);
  writeFileSync(
    path.join(dir, 'metaflow.infra.yaml'),
    'version: 1\nstack: { name: warned, region: us-east-1 }\nplugins: [./warn.mjs]\nwarner: { x: 5 }\noutputs: { metaflowConfig: { enabled: false } }\n' +
      (environments ? 'environments:\n  dev: { stack: { name: warned-dev } }\n  prod: { stack: { name: warned-prod } }\n' : ''),
  );
  return dir;
}

describe('compile warnings on the terminal', () => {
  it("validate: each environment's warning, then its line; --json: none on stderr, all in the result", async () => {
    const dir = project(true);
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^warning|✓/.test(l));
    expect(lines.map((l) => l.replace(/ is valid.*/, ''))).toEqual([
      'warning x is large  [test:warner, hook check]',
      `✓ ${path.join(dir, 'metaflow.infra.yaml')} (environment dev)`,
      'warning x is large  [test:warner, hook check]',
      `✓ ${path.join(dir, 'metaflow.infra.yaml')} (environment prod)`,
    ]);
    const json = await runCli(['validate', dir, '--json']);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout).environments.map((e: { warnings: { code: string }[] }) => e.warnings.map((w) => w.code))).toEqual([
      ['MANIFEST_WARNING'],
      ['MANIFEST_WARNING'],
    ]);
  });

  it('compile: the warning with its position and hint on stderr, the template alone on stdout', async () => {
    const dir = project(false);
    const r = await runCli(['compile', dir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Resources.Topic.Type).toBe('AWS::SNS::Topic');
    expect(r.stderr).toMatch(
      /^warning x is large {2}\[test:warner, hook check\]\n {2}at .*metaflow\.infra\.yaml:4:14 {2}\(MANIFEST_WARNING\)\n/,
    );
    expect(r.stderr).toContain('  hint: use 1');
    expect(r.stderr.match(/^warning/gm)).toHaveLength(1);
  });
});
