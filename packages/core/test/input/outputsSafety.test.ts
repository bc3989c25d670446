/**
 * Issue 12, items 3 and 10, as a user meets them in the CLI: the manifest (or a file nobody named as
 * an output) is never overwritten; output paths that leave the folder and missing templates fail
 * `validate` at their position, before any AWS call; `compile --out` is safe with the manifest,
 * symlinks and an empty value.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';
import { useFakeAwsEnv } from '../helpers/awsEnv.js';
import { datastoreManifest, tempProject } from '../helpers/tempProject.js';

function project(outputs: string, extra: Record<string, string> = {}) {
  const text = datastoreManifest(`outputs:\n${outputs}`);
  const dir = tempProject({ 'metaflow.infra.yaml': text, ...extra });
  return { dir, text, manifest: path.join(dir, 'metaflow.infra.yaml') };
}

describe('item 3: the manifest is never an output', () => {
  it('outputs.envFile: metaflow.infra.yaml fails validate at 9:12 with exit 3, and the manifest is untouched', async () => {
    const { dir, text, manifest } = project('  envFile: metaflow.infra.yaml\n');
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error outputs.envFile would overwrite the manifest (${manifest})`);
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:9:12 {2}\(OUTPUT_UNWRITABLE\)/);
    expect(readFileSync(manifest, 'utf8')).toBe(text);
  });

  it.each([
    [
      'a template destination spelled ./sub/../metaflow.infra.yaml',
      '  files:\n    - template: a.hbs\n      path: ./sub/../metaflow.infra.yaml\n',
      11,
      13,
    ],
    ['the Metaflow config path through a symlink to the manifest', '  metaflowConfig:\n    path: link.json\n', 10, 11],
    ['envFile { path } onto the manifest', '  envFile:\n    path: metaflow.infra.yaml\n', 10, 11],
  ])('%s is refused at its position', async (_name, outputs, line, column) => {
    const { dir, text, manifest } = project(outputs, { 'a.hbs': 'x', 'sub/.keep': '' });
    symlinkSync('metaflow.infra.yaml', path.join(dir, 'link.json'));
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`would overwrite the manifest (`);
    expect(r.stderr).toContain(`metaflow.infra.yaml:${line}:${column}  (OUTPUT_UNWRITABLE)`);
    expect(readFileSync(manifest, 'utf8')).toBe(text);
  });

  it("an output onto a template's own source or into .mfinfra/ is refused too (files nobody named as outputs)", async () => {
    const { dir } = project('  envFile: a.hbs\n  files:\n    - template: a.hbs\n      path: .mfinfra/state/x.json\n', { 'a.hbs': 'x' });
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('outputs.envFile would overwrite the template source a.hbs');
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:9:12 {2}\(OUTPUT_UNWRITABLE\)/);
    expect(r.stderr).toContain("outputs.files[0].path would write into mfinfra's local state folder");
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:12:13 {2}\(OUTPUT_UNWRITABLE\)/);
    expect(readFileSync(path.join(dir, 'a.hbs'), 'utf8')).toBe('x');
  });

  it('compile --out onto the manifest (or a link to it) is a usage error, exit 2, the manifest untouched', async () => {
    const { dir, text, manifest } = project('  metaflowConfig: { enabled: false }\n');
    symlinkSync('metaflow.infra.yaml', path.join(dir, 'link.json'));
    for (const out of [manifest, path.join(dir, 'link.json'), path.join(dir, 'sub/../metaflow.infra.yaml')]) {
      mkdirSync(path.join(dir, 'sub'), { recursive: true });
      const r = await runCli(['compile', dir, '--out', out]);
      expect(r.code, out).toBe(2);
      expect(r.stderr).toContain(`error refusing to write ${path.resolve(out)}: it is the manifest`);
      expect(r.stdout).toBe('');
      expect(readFileSync(manifest, 'utf8')).toBe(text);
    }
    expect(lstatSync(path.join(dir, 'link.json')).isSymbolicLink()).toBe(true);
  });

  it('compile --out "" is a usage error (exit 2), not the template on stdout', async () => {
    const { dir } = project('  metaflowConfig: { enabled: false }\n');
    const r = await runCli(['compile', dir, '--out', '']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error --out needs a file name (it was empty)');
  });

  it('compile --out onto a symlink writes through: the link stays, the file it points at gets the template', async () => {
    const { dir } = project('  metaflowConfig: { enabled: false }\n');
    mkdirSync(path.join(dir, 'build'));
    writeFileSync(path.join(dir, 'build/template.json'), 'old');
    symlinkSync('build/template.json', path.join(dir, 'template.json'));
    const r = await runCli(['compile', dir, '--out', path.join(dir, 'template.json')]);
    expect(r.code).toBe(0);
    expect(lstatSync(path.join(dir, 'template.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(dir, 'template.json'))).toBe('build/template.json');
    expect(JSON.parse(readFileSync(path.join(dir, 'build/template.json'), 'utf8')).AWSTemplateFormatVersion).toBe('2010-09-09');
  });
});

describe('item 10: output paths and templates are checked before any AWS call', () => {
  it('an envFile that climbs out of the folder fails validate at its position, exit 3', async () => {
    const { dir } = project('  envFile: ../../elsewhere/metaflow.env\n');
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /error outputs\.envFile path "\.\.\/\.\.\/elsewhere\/metaflow\.env" resolves to .*, outside the manifest's folder/,
    );
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:9:12 {2}\(OUTPUT_UNWRITABLE\)/);
  });

  it('a missing user template fails validate at its position, exit 3', async () => {
    const { dir } = project('  files:\n    - template: templates/missing.hbs\n      path: out.txt\n');
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error template templates/missing.hbs cannot be read: it does not exist');
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:10:17 {2}\(FILE_UNREADABLE\)/);
  });

  it('apply with such a manifest stops with exit 3 before calling AWS (the endpoint is a closed port) and writes nothing', async () => {
    const { dir } = project('  envFile: ../../elsewhere/metaflow.env\n  files:\n    - template: missing.hbs\n      path: out.txt\n');
    const restoreEnv = useFakeAwsEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    try {
      const r = await runCli(['apply', dir, '--yes']);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('metaflow.infra.yaml has 2 problems');
      expect(r.stderr).toContain('outside the manifest');
      expect(r.stderr).toContain('template missing.hbs cannot be read');
      expect(r.stderr).not.toMatch(/ECONNREFUSED|connect|stack/i);
      expect(existsSync(path.join(dir, '.mfinfra'))).toBe(false);
      expect(existsSync(path.join(dir, 'out.txt'))).toBe(false);
    } finally {
      restoreEnv();
    }
  });
});
