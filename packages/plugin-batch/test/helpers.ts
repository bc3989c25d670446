import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { compileError, compileManifest } from '@mfinfra/core/testing';
import type { Plugin } from '@mfinfra/core/plugin';
import batchPlugin from '../src/index.js';
import { fakeDatastore, fakeNetwork } from './fakes.js';

export interface FakeOptions {
  network?: Plugin<any, any>;
  datastore?: Plugin<any, any>;
}

const plugins = (o: FakeOptions) => ({
  network: o.network ?? fakeNetwork(),
  datastore: o.datastore ?? fakeDatastore(),
  batch: batchPlugin,
});

/** A manifest with the three plugins and the given `batch:` section (YAML, indented by 2). */
export function manifest(batchSection: string, stackName = 'mf-test', tags: Record<string, string> = {}): string {
  const tagLines = Object.entries(tags)
    .map(([k, v]) => `    ${k}: ${v}\n`)
    .join('');
  return (
    `version: 1\nstack:\n  name: ${stackName}\n  region: us-west-2\n${tagLines ? `  tags:\n${tagLines}` : ''}` +
    `plugins: [network, datastore, batch]\n${batchSection ? `batch:\n${batchSection}` : ''}`
  );
}

export function compileBatch(yaml: string, o: FakeOptions = {}) {
  return compileManifest(yaml, { plugins: plugins(o) });
}

export function compileBatchError(yaml: string, o: FakeOptions = {}) {
  return compileError(yaml, { plugins: plugins(o) });
}

/** Each diagnostic as `line:column code message` (what a user sees, without the frame). */
export async function problems(yaml: string, o: FakeOptions = {}): Promise<string[]> {
  const e = await compileBatchError(yaml, o);
  const ds = e.diagnostics.length ? e.diagnostics : [{ code: e.code, message: e.message, loc: e.loc, pluginCode: e.pluginCode }];
  return ds.map((d) => `${d.loc ? `${d.loc.line}:${d.loc.column}` : '-'} ${d.pluginCode ?? d.code} ${d.message}`);
}

const run = promisify(execFile);

/** Whether cfn-lint can run here; in CI its absence is a failure. */
export async function cfnLintAvailable(): Promise<boolean> {
  try {
    await run('cfn-lint', ['--version']);
    return true;
  } catch {
    if (process.env.CI) throw new Error('cfn-lint is required in CI (pip install cfn-lint)');
    console.warn('cfn-lint not found: skipping template lint tests (pip install cfn-lint)');
    return false;
  }
}

/** cfn-lint findings (errors and warnings) for each template body, keyed by the given name. */
export async function cfnLint(bodies: Record<string, string>): Promise<Record<string, string[]>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mfinfra-batch-lint-'));
  try {
    const files = await Promise.all(
      Object.entries(bodies).map(async ([name, body]) => {
        const file = path.join(dir, `${name}.json`);
        await writeFile(file, body);
        return [name, file] as const;
      }),
    );
    const result = await run('cfn-lint', ['--format', 'parseable', '--', ...files.map(([, f]) => f)]).then(
      (r) => r.stdout,
      (e: { stdout?: string; code?: number }) => {
        // Exit codes 2/4/8 (bitmask) mean findings; anything else, or no findings printed, is a crash.
        if (typeof e.stdout !== 'string' || !e.stdout.trim() || typeof e.code !== 'number' || e.code === 1 || e.code > 31) throw e;
        return e.stdout;
      },
    );
    const out: Record<string, string[]> = Object.fromEntries(files.map(([name]) => [name, []]));
    for (const line of result.split('\n').filter(Boolean)) {
      const hit = files.find(([, f]) => line.startsWith(f));
      // Findings not about one of our files (e.g. a cfn-lint crash message) are kept under "?".
      const key = hit ? hit[0] : '?';
      (out[key] ??= []).push(hit ? line.slice(hit[1].length) : line);
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
