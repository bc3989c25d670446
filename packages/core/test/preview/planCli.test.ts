import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/compile.js';
import { writeAppliedState } from '../../src/state/localState.js';
import { runCli } from '../helpers/runCli.js';
import { FIXTURES } from './recorded.js';

const run = promisify(execFile);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/mfinfra.js');

function project(store = '{}'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-plan-'));
  copyFileSync(path.join(FIXTURES, '_plugins', 'store.mjs'), path.join(dir, 'store.mjs'));
  setStore(dir, store);
  return dir;
}

function setStore(dir: string, store: string): void {
  writeFileSync(
    path.join(dir, 'metaflow.infra.yaml'),
    `version: 1\nstack: { name: plan-test, region: us-west-2 }\nplugins: [./store.mjs]\nstore: ${store}\n`,
  );
}

async function applyLocally(dir: string): Promise<void> {
  const compiled = await compile({ manifest: dir });
  await writeAppliedState(dir, compiled.stackName, compiled.template);
}

const savedSummary = process.env.GITHUB_STEP_SUMMARY;
afterEach(() => {
  if (savedSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY;
  else process.env.GITHUB_STEP_SUMMARY = savedSummary;
});

describe('mfinfra plan --offline', () => {
  it('first run without a terminal: shows every addition and says apply will need approval, exit 0 (a plan changes nothing)', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    const dir = project();
    const r = await runCli(['plan', '--offline', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('first run: everything is an addition');
    expect(r.stdout).toContain('Plan: 4 to add, 0 to change, 0 to replace, 0 to remove.');
    expect(r.stderr).toContain('note: this change needs approval (--require-approval broadening); apply will ask for it, or take --yes');
    expect(r.stderr).not.toContain('refused by');
  });

  it('first run: --detailed-exitcode exits 5 (changes pending), also on a terminal and with --yes', async () => {
    const dir = project();
    expect((await runCli(['plan', '--offline', dir, '--detailed-exitcode'])).code).toBe(5);
    expect((await runCli(['plan', '--offline', dir, '--require-approval', 'never'])).code).toBe(0);
    const tty = await runCli(['plan', '--offline', dir], { isTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('note: this change needs approval (--require-approval broadening); apply will ask for it, or take --yes');
    expect((await runCli(['plan', '--offline', dir, '--yes', '--detailed-exitcode'])).code).toBe(5);
  });

  it('no change since the last apply: "No changes.", exit 0 even with --detailed-exitcode and --require-approval any-change', async () => {
    const dir = project();
    await applyLocally(dir);
    const r = await runCli(['plan', '--offline', dir, '--detailed-exitcode', '--require-approval', 'any-change']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect(r.stdout).toMatch(/compared with the template applied at \S+ \(.*\.mfinfra\/state\/plan-test\.json\)/);
  });

  it('an edit that replaces the bucket is refused until --allow-replace names it', async () => {
    const dir = project();
    await applyLocally(dir);
    setStore(dir, '{ bucketName: archive, logRetentionDays: 90 }');
    const blocked = await runCli(['plan', '--offline', dir]);
    expect(blocked.code).toBe(4);
    expect(blocked.stdout).toContain('~ RetentionInDays: 30 → 90');
    expect(blocked.stderr).toContain(
      '✗ refused: StoreBucket (AWS::S3::Bucket) would be replaced because BucketName changes. UpdateReplacePolicy Retain: the old resource is kept with its data',
    );
    expect(blocked.stderr).toContain('pass --allow-replace StoreBucket');
    const allowed = await runCli(['plan', '--offline', dir, '--allow-replace', 'StoreBucket', '--detailed-exitcode']);
    expect(allowed.stderr).toContain('! allowed by --allow-replace: StoreBucket');
    expect(allowed.code).toBe(5);
  });

  it('--against compares with a template file instead of the local state', async () => {
    const dir = project('{ writers: true }');
    const againstFile = path.join(dir, 'deployed.json');
    const compiled = await compile({ manifest: dir });
    writeFileSync(againstFile, JSON.stringify(compiled.template));
    setStore(dir, '{}');
    const r = await runCli(['plan', '--offline', dir, '--against', againstFile, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      ok: true,
      exitCode: 0,
      preview: { source: 'offline', firstRun: false, comparedWith: againstFile, permissionsBroadened: false },
    });
    expect(doc.preview.summary).toEqual({ add: 0, modify: 1, replace: 0, remove: 0, import: 0 });
    expect(doc.gates).toMatchObject({ ok: true, blocked: [] });
  });

  it('--format json is the same as --json', async () => {
    const dir = project();
    const a = JSON.parse((await runCli(['plan', '--offline', dir, '--format', 'json'])).stdout);
    const b = JSON.parse((await runCli(['plan', '--offline', dir, '--json'])).stdout);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ok: true, exitCode: 0, gates: { approvalRequired: true, blocked: [] } });
  });

  it('--format markdown prints Markdown and appends it to $GITHUB_STEP_SUMMARY', async () => {
    const dir = project();
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    process.env.GITHUB_STEP_SUMMARY = summary;
    const r = await runCli(['plan', '--offline', dir, '--format', 'markdown', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('### mfinfra plan: `plan-test`');
    // One pass: the summary, whether approval is needed, security, then each plugin folded; no empty
    // Physical ID column and no `n/a` Replacement column for additions.
    expect(r.stdout).toContain('| + add | `StoreBucket` | `AWS::S3::Bucket` |\n');
    expect(r.stdout).not.toContain('n/a');
    expect(r.stdout).toContain('<details><summary><code>store</code>: 4 to add</summary>');
    const order = ['**Plan: 4 to add', '**🟡 Needs approval:**', '#### Security changes', '#### Changes by plugin'].map((t) =>
      r.stdout.indexOf(t),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n### mfinfra plan: `plan-test`')).toBe(true);
    expect(written).toContain('**🟡 Needs approval:**');
  });

  it('--help documents the exit codes', async () => {
    // yargs prints help and exits, so this runs the built CLI (as core's own --help tests do).
    const { stdout } = await run(process.execPath, [bin, 'plan', '--help']);
    const text = stdout.replace(/\s+/g, ' ');
    expect(text).toContain(
      'Exit codes: 0 the plan succeeded (also with changes pending, unless --detailed-exitcode); 5 changes are pending (only with --detailed-exitcode); 4 a safety gate refused',
    );
    expect(text).toContain("An offline plan is a local prediction from the templates, not CloudFormation's answer.");
  });

  it('--against needs --offline; a damaged state file is a clear error', async () => {
    const dir = project();
    const usage = await runCli(['plan', dir, '--against', 'x.json']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--against needs --offline');
    await applyLocally(dir);
    writeFileSync(path.join(dir, '.mfinfra', 'state', 'plan-test.json'), 'not json');
    const broken = await runCli(['plan', '--offline', dir]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('is not valid JSON');
    expect(broken.stderr).not.toMatch(/^\s+at .*\.js:\d+/m);
  });
});
