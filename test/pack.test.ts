/**
 * Publishing readiness, and the way in a new user takes: every package declares what npm needs; the
 * tarballs `pnpm pack` makes (it rewrites `workspace:` ranges, which `npm pack` would leave in)
 * install with npm into an empty folder with no engine warnings, and there `npx mfinfra init --yes`,
 * `validate`, `plan --offline` and `compile` work, the written manifest validates against the
 * written schema file, and plugins resolve beside the manifest or from the CLI's own dependencies.
 * One pack and one install serve every case. Installing fetches core's own dependencies from the
 * npm registry, so that part skips with a message when the registry is unreachable (and fails in CI).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_PARTY_PLUGINS } from '../packages/core/src/load/resolve.js';
import { parseYaml, validateWithSchemaFile } from '../packages/core/test/helpers/editorSchema.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageDirs = [
  ...readdirSync(path.join(repo, 'packages'))
    .filter((d) => existsSync(path.join(repo, 'packages', d, 'package.json')))
    .map((d) => `packages/${d}`),
  'examples/plugin-custom-compute',
].sort();

interface PackageJson {
  name: string;
  version?: string;
  private?: boolean;
  type?: string;
  main?: string;
  types?: string;
  exports?: Record<string, unknown>;
  files?: string[];
  engines?: { node?: string };
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const readPkg = (dir: string): PackageJson => JSON.parse(readFileSync(path.join(repo, dir, 'package.json'), 'utf8')) as PackageJson;

describe.each(packageDirs)('%s', (dir) => {
  const pkg = readPkg(dir);

  it('declares exports, types, files, engines and a version, and is publishable ESM', () => {
    expect(pkg.private).not.toBe(true);
    expect(pkg.type).toBe('module');
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.engines?.node).toMatch(/^>=\d+/);
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'CHANGELOG.md']));
  });

  it('has a CHANGELOG.md entry for its version', () => {
    const changelog = readFileSync(path.join(repo, dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(new RegExp(`^## \\[?${pkg.version!.replaceAll('.', '\\.')}\\]?`, 'm'));
  });

  it('depends on @mfinfra/core as a peer (plugins), on nothing from the workspace (core), or on core and every first-party plugin (mfinfra)', () => {
    const runtime = Object.keys(pkg.dependencies ?? {});
    const workspace = runtime.filter((d) => d.startsWith('@mfinfra/') || d.startsWith('mfinfra-'));
    if (pkg.name === 'mfinfra') {
      expect(workspace.sort()).toEqual(['@mfinfra/core', ...Object.values(FIRST_PARTY_PLUGINS)].sort());
      expect(pkg.bin).toEqual({ mfinfra: './bin/mfinfra.js' });
      return;
    }
    expect(workspace).toEqual([]);
    if (pkg.name !== '@mfinfra/core') expect(pkg.peerDependencies).toHaveProperty('@mfinfra/core');
  });
});

/** Whether the npm registry answers; in CI it must. */
function registryReachable(): boolean {
  const ping = spawnSync('npm', ['ping'], { stdio: 'ignore', timeout: 20_000 });
  if (ping.status === 0) return true;
  if (process.env.CI) throw new Error('the npm registry is unreachable; the pack test needs it in CI');
  console.warn('skipping the pack-and-install test: the npm registry is unreachable (it installs core’s dependencies)');
  return false;
}
const online = registryReachable();

describe.skipIf(!online)('packed tarballs installed with npm into an empty folder', () => {
  let work: string;
  let app: string;
  let npmOutput = '';
  const env = {
    ...process.env,
    NO_COLOR: '1',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // The caches live in the test's own folder: a first run, as a new user has.
    MFINFRA_CACHE_DIR: '',
  };
  const mfinfra = (args: string[], cwd = app) =>
    run('npx', ['--no', 'mfinfra', ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  // One pack of every package and one npm install, shared by every case below (CI has 2 cores).
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'mfinfra-pack-'));
    env.MFINFRA_CACHE_DIR = path.join(work, 'cache');
    const out = path.join(work, 'tarballs');
    app = path.join(work, 'app');
    await mkdir(out);
    await mkdir(app);
    // pnpm pack rewrites workspace: ranges (npm pack would leave them in).
    const filters = packageDirs.flatMap((d) => ['--filter', `./${d}`]);
    await run('npx', ['-y', 'pnpm@12.4.2', '-r', ...filters, 'pack', '--pack-destination', out], { cwd: repo, env });
    const tarballs = readdirSync(out)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => path.join(out, f));
    expect(tarballs).toHaveLength(packageDirs.length);
    // The folder holds nothing: npm makes the package.json. Default log level, so engine warnings show.
    const npm = await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], { cwd: app, env, maxBuffer: 16 * 1024 * 1024 });
    npmOutput = npm.stdout + npm.stderr;
  }, 300_000);
  afterAll(() => work && rm(work, { recursive: true, force: true }));

  it('installs on the documented Node.js version without engine warnings', () => {
    const documented = readPkg('packages/mfinfra').engines!.node!;
    expect(documented).toBe('>=20.19');
    expect(npmOutput).not.toMatch(/EBADENGINE|Unsupported engine/);
  });

  it('installs every package with its built code, its changelog, no tests and no workspace: ranges', async () => {
    for (const dir of packageDirs) {
      const pkg = readPkg(dir);
      const installed = path.join(app, 'node_modules', ...pkg.name.split('/'));
      const manifestText = await readFile(path.join(installed, 'package.json'), 'utf8');
      expect(manifestText, `${pkg.name} package.json`).not.toContain('workspace:');
      expect(existsSync(path.join(installed, 'dist/index.js')), `${pkg.name} dist/index.js`).toBe(true);
      expect(existsSync(path.join(installed, 'dist/index.d.ts')), `${pkg.name} dist/index.d.ts`).toBe(true);
      expect(existsSync(path.join(installed, 'CHANGELOG.md')), `${pkg.name} CHANGELOG.md`).toBe(true);
      expect(readdirSync(path.join(installed, 'dist'), { recursive: true }).filter((f) => /\.test\./.test(String(f)))).toEqual([]);
    }
    // mfinfra pins core and the plugins to its own release.
    const mfinfraPkg = JSON.parse(await readFile(path.join(app, 'node_modules/mfinfra/package.json'), 'utf8')) as PackageJson;
    expect(mfinfraPkg.dependencies).toMatchObject({ '@mfinfra/core': mfinfraPkg.version, '@mfinfra/plugin-batch': mfinfraPkg.version });
  });

  it('npx mfinfra init --yes, validate, plan --offline and compile all exit 0; the manifest validates against the schema file init wrote', async () => {
    const init = await mfinfra(['init', '--yes']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain('wrote metaflow.infra.yaml (stack metaflow; plugins datastore, network, batch, metadata, scheduling)');
    expect(init.stderr).not.toContain('not installed');
    for (const args of [['validate'], ['plan', '--offline'], ['compile']]) {
      const r = await mfinfra(args);
      expect(r.code, `mfinfra ${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect((await mfinfra(['validate'])).stderr).toMatch(/metaflow\.infra\.yaml is valid: stack metaflow, 5 plugins, \d+ resources/);
    expect(JSON.parse((await mfinfra(['compile'])).stdout)).toHaveProperty('AWSTemplateFormatVersion', '2010-09-09');

    const manifestText = await readFile(path.join(app, 'metaflow.infra.yaml'), 'utf8');
    expect(manifestText.split('\n')[0]).toBe('# yaml-language-server: $schema=./metaflow.infra.schema.json');
    const schema = JSON.parse(await readFile(path.join(app, 'metaflow.infra.schema.json'), 'utf8')) as object;
    const checked = validateWithSchemaFile(schema, parseYaml(manifestText));
    expect(checked.ok, checked.errors).toBe(true);
    // npm made a package.json that lists mfinfra: init left it alone; the .gitignore keeps local state out.
    expect(JSON.parse(await readFile(path.join(app, 'package.json'), 'utf8')).dependencies).toHaveProperty('mfinfra');
    expect(await readFile(path.join(app, '.gitignore'), 'utf8')).toMatch(/^\.mfinfra\/$/m);
  }, 120_000);

  it('a folder with nothing installed: init writes package.json pinning mfinfra, and the plugins come from the CLI’s own dependencies', async () => {
    const elsewhere = path.join(work, 'elsewhere');
    const bin = path.join(app, 'node_modules/.bin/mfinfra');
    const init = await run(bin, ['init', elsewhere, '--yes', '--plugins', 'datastore,batch'], { cwd: work, env });
    expect(init.stderr).toContain('added network: batch needs it');
    expect(JSON.parse(await readFile(path.join(elsewhere, 'package.json'), 'utf8')).devDependencies).toEqual({ mfinfra: '0.1.0' });
    const plugins = await run(bin, ['plugins', elsewhere, '--json'], { cwd: work, env });
    expect((JSON.parse(plugins.stdout) as { plugins: { spec: string; resolvedFrom: string; resolution: string }[] }).plugins).toEqual([
      expect.objectContaining({
        spec: 'datastore',
        resolvedFrom: 'cli',
        resolution: 'not installed beside the manifest; a dependency of the running mfinfra 0.1.0',
      }),
      expect.objectContaining({ spec: 'network', resolvedFrom: 'cli' }),
      expect.objectContaining({ spec: 'batch', resolvedFrom: 'cli' }),
    ]);
    await run(bin, ['validate', elsewhere], { cwd: work, env });
  }, 60_000);

  it('runs `npx mfinfra validate` on a manifest that uses first-party and third-party plugins by package name', async () => {
    const dir = path.join(app, 'third-party');
    await mkdir(dir);
    await writeFile(
      path.join(dir, 'metaflow.infra.yaml'),
      `version: 1
stack: { name: packed, region: us-west-2 }
plugins: [datastore, network, mfinfra-plugin-gpu-compute]
gpuCompute: { instanceTypes: [g5], maxVcpus: 16 }
`,
    );
    const { stderr } = await mfinfra(['validate'], dir);
    expect(stderr).toMatch(/metaflow\.infra\.yaml is valid: stack packed, 3 plugins, \d+ resources, \d+ config outputs/);
    const plugins = await mfinfra(['plugins', '--json'], dir);
    expect(
      (
        JSON.parse(plugins.stdout) as {
          plugins: { name: string; kind: string; packageName: string; version: string; resolvedFrom: string }[];
        }
      ).plugins.map((p) => [p.name, p.kind, p.packageName, p.version, p.resolvedFrom]),
    ).toEqual([
      ['mfinfra:datastore', 'first-party', '@mfinfra/plugin-datastore', '0.1.0', 'manifest'],
      ['mfinfra:network', 'first-party', '@mfinfra/plugin-network', '0.1.0', 'manifest'],
      ['example:gpu-compute', 'package', 'mfinfra-plugin-gpu-compute', '0.1.0', 'manifest'],
    ]);
  }, 60_000);

  it('shows no AWS SDK Node.js notice without --debug', async () => {
    const r = await mfinfra(['plan', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'], app);
    expect(r.code).toBe(1); // nothing listens there
    expect(r.stderr).not.toMatch(/Node\.js >= 22|NodeVersionSupportWarning/);
  });
});
