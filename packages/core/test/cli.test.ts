import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const bin = path.join(here, '../bin/mfinfra.js');
const ok = path.join(fixtures, 'ok-two-plugins');
const run = promisify(execFile);

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'mfinfra-cli-'));
}

describe('mfinfra validate', () => {
  it('accepts a valid manifest and says what it holds', async () => {
    const r = await runCli(['validate', ok]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('is valid: stack fixture-ok, 2 plugins, 3 resources, 3 config outputs');
  });

  it('reports every problem with file:line:column, a code frame and a hint, and exits 3 without a stack trace', async () => {
    const r = await runCli(['validate', path.join(fixtures, 'unknown-keys')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('metaflow.infra.yaml has 3 problems');
    expect(r.stderr).toMatch(/unknown key "regoin" in stack\n\s+at .*unknown-keys\/metaflow\.infra\.yaml:4:3/);
    expect(r.stderr).toContain('> 4 |   regoin: us-west-2');
    expect(r.stderr).toContain('hint: did you mean "region"?');
    expect(r.stderr).not.toMatch(/^\s+at .*\.js:\d+:\d+\)?$/m);
  });

  it('shows the stack trace of a plugin failure only with --debug', async () => {
    const plain = await runCli(['validate', path.join(fixtures, 'plugin-throws')]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('plugin test:throws failed in its resources hook');
    expect(plain.stderr).toContain('[test:throws, hook resources]');
    expect(plain.stderr).not.toContain('throws.mjs:');
    const debug = await runCli(['validate', path.join(fixtures, 'plugin-throws'), '--debug']);
    expect(debug.stderr).toContain('throws.mjs:');
  });

  it('prints errors as JSON with --json', async () => {
    const r = await runCli(['validate', path.join(fixtures, 'wrong-types'), '--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toBe('MANIFEST_INVALID');
    expect(doc.error.diagnostics.map((d: { loc: { line: number } }) => d.loc.line)).toEqual([1, 3, 4, 7, 8]);
  });

  it('finds the manifest from a subfolder when no path is given', async () => {
    const dir = tmp();
    cpSync(path.join(fixtures, '_plugins'), path.join(dir, '_plugins'), { recursive: true });
    mkdirSync(path.join(dir, 'project/deep/er'), { recursive: true });
    writeFileSync(
      path.join(dir, 'project/metaflow.infra.yml'),
      'version: 1\nstack: { name: found }\nplugins: [../_plugins/many.mjs]\nmany: {}\n',
    );
    const r = await runCli(['validate', '--cwd', path.join(dir, 'project/deep/er')]);
    expect(r.stderr).toContain('stack found');
    expect(r.code).toBe(0);
  });

  it('says how to start when there is no manifest', async () => {
    const r = await runCli(['validate', '--cwd', tmp()]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no metaflow.infra.yaml found');
    expect(r.stderr).toContain('mfinfra init');
  });

  it('refuses manifests over 1 MB before parsing', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), 'version: 1\n# ' + 'x'.repeat(1024 * 1024) + '\n');
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/manifest .* is \d+ bytes; the limit is 1048576/);
  });

  it('does not let __proto__ keys pollute prototypes', async () => {
    const r = await runCli(['validate', path.join(fixtures, 'proto-keys')]);
    expect(r.code).toBe(3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('mfinfra compile', () => {
  it('prints the same template byte for byte on every run', async () => {
    const a = await runCli(['compile', ok]);
    const b = await runCli(['compile', ok]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(readFileSync(path.join(ok, 'expected.template.json'), 'utf8'));
  });

  it('writes YAML with --format yaml holding the same template', async () => {
    const json = JSON.parse((await runCli(['compile', ok])).stdout);
    const yaml = await runCli(['compile', ok, '--format', 'yaml']);
    expect(parseYaml(yaml.stdout)).toEqual(json);
  });

  it('writes --out atomically and reports size', async () => {
    const out = path.join(tmp(), 'template.json');
    const r = await runCli(['compile', ok, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`3 resources, 4 outputs`);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(ok, 'expected.template.json'), 'utf8'));
  });

  it('refuses --out into a folder that does not exist, writing nothing', async () => {
    const dir = tmp();
    const out = path.join(dir, 'missing/template.json');
    const r = await runCli(['compile', ok, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not exist');
    expect(r.stderr).toContain('mkdir -p');
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
  });

  it('leaves an existing --out file untouched when compilation fails', async () => {
    const out = path.join(tmp(), 'template.json');
    writeFileSync(out, 'previous');
    const r = await runCli(['compile', path.join(fixtures, 'bad-reference'), '--out', out]);
    expect(r.code).toBe(3);
    expect(readFileSync(out, 'utf8')).toBe('previous');
  });

  it('notes when the template needs an S3 upload (over 51,200 bytes even minified)', async () => {
    const dir = tmp();
    cpSync(path.join(fixtures, '_plugins'), path.join(dir, '_plugins'), { recursive: true });
    writeFileSync(
      path.join(dir, 'metaflow.infra.yaml'),
      'version: 1\nstack: { name: big }\nplugins: [./_plugins/many.mjs]\nmany: { count: 300 }\n',
    );
    const r = await runCli(['compile', dir, '--out', path.join(dir, 't.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/even minified \([\d,]+ bytes\) the template is over the 51,200 bytes CloudFormation takes inline/);
    // --out keeps the readable form.
    expect(readFileSync(path.join(dir, 't.json'), 'utf8')).toMatch(/^\{\n {2}"AWSTemplateFormatVersion"/);
  });
});

describe('mfinfra schema and plugins', () => {
  it('prints the merged JSON Schema with each plugin section', async () => {
    const r = await runCli(['schema', ok]);
    const schema = JSON.parse(r.stdout);
    expect(Object.keys(schema.properties)).toEqual(['version', 'stack', 'plugins', 'outputs', 'beta', 'alpha', 'environments']);
    expect(schema.properties.alpha['x-mfinfra-plugin']).toBe('test:alpha');
    expect(schema.additionalProperties).toBe(false);
  });

  it('lists plugins in run order with version, source and load time', async () => {
    const r = await runCli(['plugins', ok]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toContain('2 plugins in run order');
    expect(lines[2]).toMatch(/^test:alpha\s+alpha\s+1\.2\.3\s+\d+\.\d ms\s+-\s+.*alpha\.ts\s+path$/);
    expect(lines[3]).toMatch(/^test:beta\s+beta\s+-\s+\d+\.\d ms\s+alpha\s+/);
    expect(lines[4]).toContain('found: beside the manifest (its folder');
  });

  it('exits 2 on an unknown command or flag, in the one error format, with the nearest command or flag', async () => {
    const command = await runCli(['compil']);
    expect(command.code).toBe(2);
    expect(command.stderr).toBe(
      'error unknown command compil  (USAGE)\n  hint: did you mean `mfinfra compile`? (run `mfinfra --help` for the commands)\n',
    );
    const r = await runCli(['compile', ok, '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error unknown option --no-such-flag  (USAGE)\n  hint: run `mfinfra compile --help` for its options\n');
    const typo = await runCli(['plan', '--ofline', ok]);
    expect([typo.code, typo.stderr]).toEqual([
      2,
      'error unknown option --ofline  (USAGE)\n  hint: did you mean --offline? (run `mfinfra plan --help` for its options)\n',
    ]);
    const json = await runCli(['plan', '--ofline', ok, '--json']);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'USAGE', message: 'unknown option --ofline', exitCode: 2 });
  });

  it('run-time errors without a position carry their code on the message line, as positioned ones do on theirs', async () => {
    const r = await runCli(['validate', path.join(ok, 'no-such-folder')]);
    expect(r.stderr.split('\n')[0]).toMatch(/^error manifest not found: .*no-such-folder {2}\(CONFIG_NOT_FOUND\)$/);
    expect(r.stderr).not.toContain('  code ');
  });
});

describe('the mfinfra binary', () => {
  it("--version is mfinfra's, not every command's; help leaves a space before [boolean]", async () => {
    const { stdout } = await run(process.execPath, [bin, '--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await run(process.execPath, [bin, '--help'])).stdout).toContain('--version');
    for (const cmd of ['plan', 'apply', 'init']) {
      const help = (await run(process.execPath, [bin, cmd, '--help'])).stdout;
      expect(help).not.toContain('--version');
      expect(help).not.toMatch(/\S\[(boolean|string|array)\]/);
    }
  });

  it('has --help for every command', async () => {
    for (const cmd of ['validate', 'compile', 'schema', 'plugins']) {
      const { stdout } = await run(process.execPath, [bin, cmd, '--help']);
      expect(stdout).toContain(`mfinfra ${cmd} [manifest]`);
    }
  });

  it('never loads the AWS SDK for validate, compile, schema and plugins', async () => {
    const hook = path.join(here, 'helpers/block-aws-sdk.mjs');
    for (const cmd of ['validate', 'compile', 'schema', 'plugins']) {
      const r = await run(process.execPath, ['--import', hook, bin, cmd, ok]);
      expect(r.stderr).not.toContain('AWS SDK loaded');
    }
  });
});

describe("the AWS SDK's Node.js support notice", () => {
  // A fresh process each time: the CLI switches the SDK's own warning off for the rest of a process.
  const deployAgainstNothing = async (extra: string[]) => {
    const r = await run(process.execPath, [bin, 'plan', ok, '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9', ...extra], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1', NO_COLOR: '1' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1); // nothing listens on port 9
    return r.stderr;
  };
  const onOldNode = Number(process.versions.node.split('.')[0]) < 22;

  it('is not shown without --debug, and the SDK never prints its multi-line warning', async () => {
    const stderr = await deployAgainstNothing([]);
    expect(stderr).not.toMatch(/Node\.js >= 22|NodeVersionSupportWarning/);
  });

  it.runIf(onOldNode)('is one line under --debug', async () => {
    const stderr = await deployAgainstNothing(['--debug']);
    expect(stderr.match(/note: the AWS SDK for JavaScript will require Node\.js >= 22/g)).toHaveLength(1);
    expect(stderr).not.toContain('NodeVersionSupportWarning');
  });
});

describe('the launcher', () => {
  it("caches V8's compiled code: the second run uses it, a damaged cache is replaced, output stays the same", async () => {
    const cacheDir = tmp();
    const env = { ...process.env, MFINFRA_CACHE_DIR: cacheDir };
    const first = await run(process.execPath, [bin, 'compile', ok], { env });
    const { readdirSync } = await import('node:fs');
    const cached = readdirSync(path.join(cacheDir, 'code'));
    expect(cached).toHaveLength(1);
    const second = await run(process.execPath, [bin, 'compile', ok], { env });
    expect(second.stdout).toBe(first.stdout);
    const file = path.join(cacheDir, 'code', cached[0]!);
    writeFileSync(file, 'not a code cache');
    const third = await run(process.execPath, [bin, 'compile', ok], { env });
    expect(third.stdout).toBe(first.stdout);
    expect(readFileSync(file).toString()).not.toBe('not a code cache');
  });

  it('stops quietly when stdout is closed early (| head)', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'compile', ok], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
