/**
 * Plugin safety, seen from a third-party plugin: core loads only the plugins a manifest lists,
 * names the plugin and hook that failed, refuses to let one plugin overwrite another's resources or
 * outputs, and reports how long each plugin took to load.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { definePlugin } from '@mfinfra/core/plugin';
import { compileError, compileManifest } from '@mfinfra/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gpuCompute from '../src/index.js';
import { fakeNetwork, fakes } from './fakes.js';

const run = promisify(execFile);
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mfinfraBin = path.resolve(packageDir, '../../packages/core/bin/mfinfra.js');

const header = (plugins: string) => `version: 1
stack: { name: ml-prod, region: us-west-2 }
plugins: [${plugins}]
`;

describe('the published plugin', () => {
  it('imports nothing at run time but @mfinfra/core/plugin and its own modules', async () => {
    const dist = path.join(packageDir, 'dist');
    const files = (await readdir(dist)).filter((f) => f.endsWith('.js'));
    expect(files).toContain('index.js');
    const specifiers = new Set<string>();
    for (const f of files) {
      const code = await readFile(path.join(dist, f), 'utf8');
      for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        specifiers.add(m[1] ?? m[2]!);
      }
    }
    expect([...specifiers].filter((s) => !s.startsWith('./')).sort()).toEqual(['@mfinfra/core/plugin']);
  });
});

describe('core loads only the plugins a manifest lists', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gpu-compute-listed-'));
    await mkdir(path.join(dir, 'node_modules'));
    await symlink(packageDir, path.join(dir, 'node_modules', 'mfinfra-plugin-gpu-compute'), 'dir');
    // A plugin module that counts its imports: it sits beside the manifest but is not listed.
    await writeFile(
      path.join(dir, 'spy.mjs'),
      `globalThis.__spyImports = (globalThis.__spyImports ?? 0) + 1;
export default { name: 'test:spy', apiVersion: 1, key: 'spy', schema: { type: 'object' }, optionalSection: true };\n`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('imports a plugin module only when plugins names it', async () => {
    const counter = globalThis as { __spyImports?: number };
    await compileManifest(header('network, datastore'), { plugins: fakes, cwd: dir });
    expect(counter.__spyImports).toBeUndefined();
    await compileManifest(header('network, datastore, ./spy.mjs'), { plugins: fakes, cwd: dir });
    expect(counter.__spyImports).toBe(1);
  });

  it('rejects the gpuCompute section as unknown when the plugin is not listed, even though it is installed', async () => {
    const error = await compileError(header('network, datastore') + 'gpuCompute: { maxVcpus: 8 }\n', { plugins: fakes, cwd: dir });
    expect(error.diagnostics.map((d) => [d.path, d.message])).toEqual([['gpuCompute', expect.stringContaining('gpuCompute')]]);
  });
});

describe('a plugin failure names the plugin and the hook', () => {
  it('wraps a throw in another plugin’s api hook', async () => {
    const broken = definePlugin({
      ...fakeNetwork,
      api: () => {
        throw new Error('cannot read subnets');
      },
    });
    const error = await compileError(header('network, datastore, gpu'), { plugins: { ...fakes, network: broken, gpu: gpuCompute } });
    expect([error.code, error.plugin, error.hook, error.message]).toEqual([
      'PLUGIN_ERROR',
      'test:network',
      'api',
      'plugin test:network failed in its api hook: cannot read subnets',
    ]);
  });

  it('names this plugin when the network plugin it reads lacks the agreed api', async () => {
    const shapeless = definePlugin({ ...fakeNetwork, api: () => ({ vpcId: 'vpc-1' }) });
    const error = await compileError(header('network, datastore, gpu'), { plugins: { ...fakes, network: shapeless, gpu: gpuCompute } });
    expect([error.code, error.plugin, error.hook]).toEqual(['PLUGIN_ERROR', 'example:gpu-compute', 'resources']);
    expect(error.message).toContain('the network plugin gave no subnetIds');
  });
});

describe('a plugin cannot overwrite another plugin’s resources or outputs', () => {
  const rogue = definePlugin({
    name: 'test:rogue',
    apiVersion: 1,
    key: 'rogue',
    schema: { type: 'object' },
    optionalSection: true,
    resources: () => ({ GpuComputeJobQueue: { Type: 'AWS::SQS::Queue' } }),
    outputs: () => ({ METAFLOW_BATCH_JOB_QUEUE: 'arn:aws:batch:us-west-2:123456789012:job-queue/elsewhere' }),
    stackOutputs: () => ({ GpuComputeJobQueueArn: { value: 'elsewhere' } }),
  });

  it.each([
    ['after', 'network, datastore, gpu, rogue'],
    ['before', 'rogue, network, datastore, gpu'],
  ])('refuses every collision, naming both plugins, when the rogue plugin runs %s', async (_order, list) => {
    const error = await compileError(header(list), { plugins: { ...fakes, gpu: gpuCompute, rogue } });
    const found = error.diagnostics.map((d) => d.code).sort();
    expect(found).toEqual(['COLLISION_CONFIG_OUTPUT', 'COLLISION_RESOURCE', 'COLLISION_STACK_OUTPUT']);
    for (const d of error.diagnostics) {
      expect(d.message).toContain('example:gpu-compute');
      expect(d.message).toContain('test:rogue');
    }
  });
});

describe('mfinfra plugins (the compiled CLI) with the plugin installed by package name', () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(path.join(packageDir, 'dist/index.js'))) {
      throw new Error('build first: npx tsc -b examples/plugin-custom-compute');
    }
    dir = await mkdtemp(path.join(tmpdir(), 'gpu-compute-cli-'));
    await mkdir(path.join(dir, 'node_modules'));
    await symlink(packageDir, path.join(dir, 'node_modules', 'mfinfra-plugin-gpu-compute'), 'dir');
    const fake = (key: string, api: string) =>
      `export default { name: 'test:${key}', apiVersion: 1, key: '${key}', schema: { type: 'object' }, optionalSection: true, api: () => (${api}) };\n`;
    await writeFile(
      path.join(dir, 'network.mjs'),
      fake('network', "{ vpcId: 'vpc-0a1b2c3d4e5f60718', subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'], securityGroupIds: [], dependsOn: [] }"),
    );
    await writeFile(
      path.join(dir, 'datastore.mjs'),
      fake('datastore', "{ readWriteStatements: () => [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' }] }"),
    );
    // Busy for 300 ms at import time: a slow plugin must be visible.
    await writeFile(
      path.join(dir, 'slow.mjs'),
      "const end = Date.now() + 300; while (Date.now() < end);\nexport default { name: 'test:slow', apiVersion: 1, key: 'slow', schema: { type: 'object' }, optionalSection: true };\n",
    );
    await writeFile(
      path.join(dir, 'metaflow.infra.yaml'),
      header('./network.mjs, ./datastore.mjs, mfinfra-plugin-gpu-compute, ./slow.mjs') + 'gpuCompute: { maxVcpus: 16 }\n',
    );
  });
  afterAll(() => dir && rm(dir, { recursive: true, force: true }));

  it('lists each plugin with its source and load time, and flags the slow one', async () => {
    const json = await run(process.execPath, [mfinfraBin, 'plugins', '--json', dir], { env: { ...process.env, NO_COLOR: '1' } });
    const { plugins } = JSON.parse(json.stdout) as {
      plugins: { name: string; kind: string; packageName?: string; version?: string; loadMs: number }[];
    };
    const gpu = plugins.find((p) => p.name === 'example:gpu-compute');
    expect(gpu).toMatchObject({ kind: 'package', packageName: 'mfinfra-plugin-gpu-compute', version: '0.1.0' });
    expect(plugins.find((p) => p.name === 'test:slow')!.loadMs).toBeGreaterThanOrEqual(250); // 300 ms of busy import, less clock granularity;

    const text = await run(process.execPath, [mfinfraBin, 'plugins', dir], { env: { ...process.env, NO_COLOR: '1' } });
    expect(text.stdout).toMatch(/example:gpu-compute\s+gpuCompute\s+0\.1\.0\s+[\d.]+ ms\s+network, datastore\s+mfinfra-plugin-gpu-compute/);
    expect(text.stderr).toMatch(/note: test:slow took \d+ ms to load/);
  });

  it('validates the manifest that uses it', async () => {
    const { stderr } = await run(process.execPath, [mfinfraBin, 'validate', dir], { env: { ...process.env, NO_COLOR: '1' } });
    expect(stderr).toMatch(/is valid: stack ml-prod, 4 plugins, 7 resources, 2 config outputs/);
  });
});
