/**
 * Hostile manifests (issue 12, items 11, 13, 14 and 15): what a user sees for each is one clean error
 * naming file:line:column (or the file), the documented exit code, no stack trace, and bounded output.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../src/load/source.js';
import { runCli } from '../helpers/runCli.js';
import { datastoreManifest, tempProject } from '../helpers/tempProject.js';

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .*\.[cm]?[jt]s:\d+:\d+\)?$/m);

describe('item 11: plugin names that are Object.prototype members', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'plugins: [%s] is PLUGIN_NOT_FOUND at its position, exit 3',
    async (name) => {
      const dir = tempProject({ 'metaflow.infra.yaml': `version: 1\nstack:\n  name: a\n  region: us-west-2\nplugins: [${name}]\n` });
      const r = await runCli(['validate', dir]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`error plugin "${name}" is not installed`);
      expect(r.stderr).toMatch(/metaflow\.infra\.yaml:5:11 {2}\(PLUGIN_NOT_FOUND\)/);
      expect(r.stderr).not.toContain('unexpected failure');
      expect(r.stderr).not.toContain('is not a function');
      noStackTrace(r.stderr);
    },
  );
});

describe('item 11: a 40,000-character plugin name', () => {
  it('is named shortened in PLUGIN_NOT_FOUND (with its length), so the whole error stays small, exit 3', async () => {
    const name = 'c'.repeat(40_000);
    const dir = tempProject({ 'metaflow.infra.yaml': `version: 1\nstack:\n  name: a\n  region: us-west-2\nplugins: [${name}]\n` });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error plugin "${'c'.repeat(120)}… (40000 characters)" is not installed`);
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:5:11 {2}\(PLUGIN_NOT_FOUND\)/);
    expect(r.stderr.length).toBeLessThan(4000);
    noStackTrace(r.stderr);
  });
});

describe('item 13: the manifest path is not a regular file', () => {
  it('a FIFO is refused at once (no hang), exit 3', async () => {
    const dir = tempProject({});
    const fifo = path.join(dir, 'metaflow.infra.yaml');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['validate', fifo]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot read manifest ${fifo}: it is a FIFO (named pipe), not a regular file`);
    expect(r.stderr).toContain('(FILE_UNREADABLE)');
  });

  it('a symlink to /dev/zero is refused without reading it, exit 3', async () => {
    const dir = tempProject({});
    const link = path.join(dir, 'metaflow.infra.yaml');
    symlinkSync('/dev/zero', link);
    const before = process.memoryUsage().rss;
    const r = await runCli(['validate', link]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot read manifest ${link}: it is a device, not a regular file`);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('a regular file over the limit is FILE_TOO_LARGE (read no further than the limit), exit 3', async () => {
    const dir = tempProject({ 'metaflow.infra.yaml': datastoreManifest('#' + 'x'.repeat(MAX_MANIFEST_BYTES) + '\n') });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/manifest .*metaflow\.infra\.yaml is \d+ bytes; the limit is 1048576/);
    expect(r.stderr).toContain('(FILE_TOO_LARGE)');
  });
});

describe('item 15: messages for odd files', () => {
  it('a symlink loop says it is a loop, not "not found", exit 3', async () => {
    const dir = tempProject({});
    symlinkSync(path.join(dir, 'b.yaml'), path.join(dir, 'a.yaml'));
    symlinkSync(path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml'));
    const r = await runCli(['validate', path.join(dir, 'a.yaml')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('it is a symlink loop');
    expect(r.stderr).not.toContain('not found');
  });

  it('a CR-only (classic Mac) file is read line by line: valid, and errors point at the right line', async () => {
    const good = tempProject({ 'metaflow.infra.yaml': datastoreManifest().replace(/\n/g, '\r') });
    const ok = await runCli(['validate', good]);
    expect(ok.stderr).toContain('is valid: stack input-test, 1 plugin');
    expect(ok.code).toBe(0);
    const bad = tempProject({ 'metaflow.infra.yaml': datastoreManifest().replace('  region', '  regoin').replace(/\n/g, '\r') });
    const r = await runCli(['validate', bad]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unknown key "regoin" in stack\n\s+at .*metaflow\.infra\.yaml:4:3/);
    expect(r.stderr).not.toContain('empty');
  });

  it('10,000 levels of nesting say "nested too deeply" at the position, exit 3', async () => {
    const dir = tempProject({ 'metaflow.infra.yaml': datastoreManifest('', `  sysroot: ${'['.repeat(10000)}${']'.repeat(10000)}\n`) });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the manifest is nested too deeply (more than 64 levels of mappings and lists)');
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:7:\d+ {2}\(NESTED_TOO_DEEPLY\)/);
    expect(r.stderr).not.toContain('Maximum call stack');
    expect(r.stderr.length).toBeLessThan(2000);
  });

  it('100 levels (which YAML parses) are refused the same way, at the first level too deep', async () => {
    const dir = tempProject({ 'metaflow.infra.yaml': datastoreManifest('', `  sysroot: ${'['.repeat(100)}${']'.repeat(100)}\n`) });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('nested too deeply');
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:7:74 {2}\(NESTED_TOO_DEEPLY\)/);
  });

  it('a code frame on a 40 KB line shows the columns around the problem, not the whole line', async () => {
    const long = 'd'.repeat(40_000);
    const dir = tempProject({
      'metaflow.infra.yaml': `version: 1\nstack: { name: a, region: us-west-2, description: "${long}", regoin: x }\nplugins: [datastore]\ndatastore: {}\n`,
    });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unknown key "regoin" in stack\n\s+at .*metaflow\.infra\.yaml:2:40\d\d/);
    expect(r.stderr).toContain('regoin: x }');
    expect(r.stderr).toMatch(/> 2 \| …d+", regoin: x }/);
    expect(r.stderr.length).toBeLessThan(3000);
  });
});

describe('item 14: YAML that would be silently changed', () => {
  it('an unknown tag (!GetAtt X.Y) is an error at the tag, not a dropped tag', async () => {
    const dir = tempProject({ 'metaflow.infra.yaml': datastoreManifest('', '  sysroot: !GetAtt X.Y\n') });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error unknown YAML tag !GetAtt');
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:7:12 {2}\(YAML_SYNTAX\)/);
    expect(r.stderr).toContain('CloudFormation functions such as !GetAtt');
  });

  it('a YAML type tag that is not plain data (!!binary, !!timestamp) is refused', async () => {
    const dir = tempProject({ 'metaflow.infra.yaml': datastoreManifest('', '  sysroot: !!timestamp 2001-12-14\n') });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unsupported YAML tag !!timestamp');
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:7:12/);
  });

  it.each([
    ['1e309', 'is not a finite number: 1e309'],
    ['.inf', 'is not a finite number: .inf'],
    ['.nan', 'is not a finite number: .nan'],
    ['9007199254740993', 'is too large a number: 9007199254740993'],
  ])('%s is refused at its position (JSON would carry null or a different number)', async (value, message) => {
    const dir = tempProject({ 'metaflow.infra.yaml': datastoreManifest(`outputs:\n  metaflowConfig:\n    enabled: ${value}\n`) });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`outputs.metaflowConfig.enabled ${message}`);
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:10:14 {2}\(MANIFEST_INVALID\)/);
  });

  it('nothing is written when validation fails: the manifest is left byte for byte', async () => {
    const text = datastoreManifest('', '  sysroot: !GetAtt X.Y\n');
    const dir = tempProject({ 'metaflow.infra.yaml': text });
    const r = await runCli(['compile', dir, '--out', path.join(dir, 'template.json')]);
    expect(r.code).toBe(3);
    expect(readFileSync(path.join(dir, 'metaflow.infra.yaml'), 'utf8')).toBe(text);
    expect(existsSync(path.join(dir, 'template.json'))).toBe(false);
  });
});

describe('item 15: one syntax error, not a cascade', () => {
  it('a stray CR in a comment (a line break in YAML) gives the first syntax error and a count, not 70 frames', async () => {
    const text = `# a comment\r that goes on\nversion: 1\nstack:\n  name: a\n  region: us-west-2\nplugins: [datastore]\ndatastore: {}\n`;
    const dir = tempProject({ 'metaflow.infra.yaml': text });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr.match(/^error yaml syntax error/gm)).toHaveLength(1);
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:2:2 {2}\(YAML_SYNTAX\)/);
    expect(r.stderr).toMatch(/\d+ more syntax errors? after it may go away with this one/);
  });
});
