import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import type { CliIo } from '../cli/io.js';
import { compile } from '../compile/compile.js';
import { MfinfraError } from '../errors.js';
import { errorOf } from '../testing.js';
import { loadEditorSchema, parseManifest } from '../load/index.js';
import { checkPluginNames, initProject } from './init.js';
import { askInitAnswers } from './prompts.js';
import { parseYaml, validateWithSchemaFile } from '../../test/helpers/editorSchema.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const gpuPluginDir = path.join(repo, 'examples/plugin-custom-compute');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mfinfra-init-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A terminal the user types `typed` into: `io` for the prompts, `said()` what they wrote. */
function terminal(typed: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  let said = '';
  output.on('data', (d: Buffer) => (said += d.toString()));
  input.end(typed);
  return { io: { input, output }, said: () => said };
}

async function runCli(args: string[], isTTY = false) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (t) => (stdout += t + '\n'), err: (t) => (stderr += t + '\n'), color: false, isTTY };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Install the third-party GPU plugin into `dir` the way npm would (a package under node_modules). */
async function installGpuPlugin() {
  await mkdir(path.join(dir, 'node_modules'), { recursive: true });
  await symlink(gpuPluginDir, path.join(dir, 'node_modules/mfinfra-plugin-gpu-compute'), 'dir');
}

describe('initProject', () => {
  it('writes a starter manifest with the schema modeline, for the chosen stack, region and plugins (their starter sections)', async () => {
    // The starter sections come from the plugins: a folder under examples/ resolves @mfinfra/plugin-*.
    dir = await mkdtemp(path.join(repo, 'examples', '.init-test-'));
    const result = await initProject({ dir, stackName: 'metaflow-prod', region: 'us-west-2', plugins: ['batch', 'datastore', 'network'] });
    expect(result.manifestFile).toBe(path.join(dir, 'metaflow.infra.yaml'));
    // Each section is its plugin's starter, as the plugin wrote it (loaded the way init loads them).
    const { plugins } = await loadEditorSchema(['datastore', 'network', 'batch'], parseManifest('{}', result.manifestFile));
    const starter = (key: string) => plugins.find((lp) => lp.plugin.key === key)?.plugin.starter ?? `(no starter for ${key})`;
    const head = `# yaml-language-server: $schema=./metaflow.infra.schema.json
# Metaflow on AWS, compiled by mfinfra into one CloudFormation stack.
#   mfinfra validate   check this file (no AWS needed)
#   mfinfra plan       preview the change set
#   mfinfra apply      deploy it and write ~/.metaflowconfig
version: 1

stack:
  name: metaflow-prod
  region: us-west-2
  tags:
    managed-by: mfinfra

plugins: [datastore, network, batch]
`;
    const sections = [starter('datastore'), starter('network'), starter('batch')];
    expect(await readFile(result.manifestFile, 'utf8')).toBe(`${head}\n${sections.join('\n')}`);
    expect(starter('datastore')).toMatch(/^# .*\ndatastore:\n/);
  });

  it('writes the JSON Schema next to it, with a section for every plugin it could load', async () => {
    await installGpuPlugin();
    const result = await initProject({ dir, stackName: 'ml', plugins: ['mfinfra-plugin-gpu-compute'] });
    const schema = JSON.parse(await readFile(path.join(dir, 'metaflow.infra.schema.json'), 'utf8'));
    expect(schema.$id).toBe('https://mfinfra.dev/schema/metaflow.infra.json');
    expect(Object.keys(schema.properties)).toEqual(['version', 'stack', 'plugins', 'outputs', 'gpuCompute']);
    expect(schema.properties.gpuCompute['x-mfinfra-plugin']).toBe('example:gpu-compute');
    expect(result.text.split('\n')[0]).toBe('# yaml-language-server: $schema=./metaflow.infra.schema.json');
  });

  it('adds the first-party plugins a chosen plugin requires, and lists the ones not installed', async () => {
    await installGpuPlugin();
    const result = await initProject({ dir, stackName: 'ml', plugins: ['mfinfra-plugin-gpu-compute'] });
    expect(result.plugins).toEqual(['datastore', 'network', 'mfinfra-plugin-gpu-compute']);
    expect(result.added).toEqual([
      { plugin: 'network', neededBy: 'mfinfra-plugin-gpu-compute' },
      { plugin: 'datastore', neededBy: 'mfinfra-plugin-gpu-compute' },
    ]);
    expect(result.missing).toEqual([
      { plugin: 'datastore', packageName: '@mfinfra/plugin-datastore' },
      { plugin: 'network', packageName: '@mfinfra/plugin-network' },
    ]);
    expect(result.text).toContain('# gpuCompute: settings of mfinfra-plugin-gpu-compute (all optional; see its README)');
    expect(result.text).toContain(
      '# datastore: not installed here, so its starter section is not written; install it, then see its README',
    );
  });

  it('refuses to overwrite an existing manifest under any name mfinfra searches, and leaves it untouched', async () => {
    for (const name of ['metaflow.infra.yaml', '.mfinfrarc.yml']) {
      const sub = path.join(dir, name.replace(/\W/g, ''));
      await mkdir(sub);
      await writeFile(path.join(sub, name), 'mine\n');
      const error = await initProject({ dir: sub, stackName: 'ml', plugins: ['datastore'] }).catch((e: unknown) => e);
      expect(MfinfraError.is(error) && [error.code, error.exitCode, error.message]).toEqual([
        'MANIFEST_EXISTS',
        2,
        `${path.join(sub, name)} already exists; mfinfra init does not overwrite a manifest`,
      ]);
      expect(await readFile(path.join(sub, name), 'utf8')).toBe('mine\n');
    }
  });

  it('rejects a stack name or region CloudFormation would refuse, before writing anything', async () => {
    const bad = await errorOf(initProject({ dir, stackName: '1-stack', plugins: ['datastore'] }));
    expect([bad.exitCode, bad.message]).toEqual([
      2,
      '"1-stack" is not a valid stack name: use letters, digits and hyphens, starting with a letter (at most 128)',
    ]);
    const region = await errorOf(initProject({ dir, stackName: 'ml', region: 'oregon', plugins: ['datastore'] }));
    expect([region.exitCode, region.message]).toEqual([2, '"oregon" is not an AWS region name such as us-west-2']);
    await expect(readFile(path.join(dir, 'metaflow.infra.yaml'))).rejects.toThrow(/ENOENT/);
  });

  it('writes a manifest that compiles with the plugins it lists (here the third-party GPU plugin and stand-ins)', async () => {
    await installGpuPlugin();
    const result = await initProject({ dir, stackName: 'ml', region: 'eu-west-1', plugins: ['mfinfra-plugin-gpu-compute'] });
    const stub = (key: string, api: object) =>
      ({ name: `test:${key}`, apiVersion: 1, key, schema: { type: 'object' }, api: () => api }) as const;
    const compiled = await compile({
      manifest: result.manifestFile,
      inlinePlugins: {
        network: stub('network', { vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroupIds: [], dependsOn: [] }),
        datastore: stub('datastore', { readWriteStatements: () => [] }),
      },
    });
    expect([compiled.stackName, compiled.region, compiled.plugins.map((p) => p.name)]).toEqual([
      'ml',
      'eu-west-1',
      ['test:datastore', 'test:network', 'example:gpu-compute'],
    ]);
  });
});

describe('the starter manifest with the real first-party plugins', () => {
  it('validates and compiles for every first-party plugin (installed as in examples/)', async () => {
    // A folder under examples/ resolves @mfinfra/plugin-* from examples/node_modules, like a user's project.
    const project = await mkdtemp(path.join(repo, 'examples', '.init-test-'));
    try {
      const result = await initProject({
        dir: project,
        stackName: 'starter',
        region: 'us-west-2',
        plugins: ['notebook', 'access', 'ui', 'scheduling', 'metadata', 'batch', 'network', 'datastore'],
      });
      expect(result.missing).toEqual([]);
      const compiled = await compile({ manifest: result.manifestFile });
      expect(compiled.plugins.map((p) => p.key).sort()).toEqual([
        'access',
        'batch',
        'datastore',
        'metadata',
        'network',
        'notebook',
        'scheduling',
        'ui',
      ]);
      const schema = JSON.parse(await readFile(result.schemaFile, 'utf8'));
      for (const key of ['access', 'batch', 'datastore', 'metadata', 'network', 'notebook', 'scheduling', 'ui'])
        expect(schema.properties[key]['x-mfinfra-plugin']).toBe(`mfinfra:${key}`);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});

describe('askInitAnswers', () => {
  it('asks for what the flags left out, explains a bad answer and asks again, and takes defaults on empty lines', async () => {
    const t = terminal('9lives\nml-dev\n\n\n');
    const answers = await askInitAnswers({}, { stackName: 'metaflow', region: 'us-east-2', plugins: ['datastore', 'batch'] }, t.io);
    expect(answers).toEqual({ stackName: 'ml-dev', region: 'us-east-2', plugins: ['datastore', 'batch'] });
    expect(t.said()).toMatchInlineSnapshot(`
      "Stack name [metaflow]:   "9lives" is not a valid stack name: use letters, digits and hyphens, starting with a letter (at most 128)
      Stack name [metaflow]: AWS region (empty: from your AWS profile) [us-east-2]: Plugins (datastore, network, batch, metadata, scheduling, ui, access, notebook, or package names) [datastore, batch]: "
    `);
  });

  it('asks nothing that a flag answered', async () => {
    const answers = await askInitAnswers(
      { stackName: 'given', region: 'ap-south-1' },
      { stackName: 'metaflow', plugins: ['datastore'] },
      terminal('datastore network\n').io,
    );
    expect(answers).toEqual({ stackName: 'given', region: 'ap-south-1', plugins: ['datastore', 'network'] });
  });

  it('aborts with exit 130 when input ends before the last answer', async () => {
    const error = await errorOf(askInitAnswers({}, { stackName: 'metaflow', plugins: ['datastore'] }, terminal('ml\n').io));
    expect([error.code, error.exitCode]).toEqual(['ABORTED', 130]);
  });
});

describe('mfinfra init (CLI)', () => {
  it('writes both files from flags and says what it did', async () => {
    const { code, stderr } = await runCli(['init', dir, '--stack-name', 'ml', '--region', 'us-west-2', '--plugins', 'datastore,network']);
    expect(code).toBe(0);
    expect(stderr.replaceAll(dir, '<dir>')).toMatchInlineSnapshot(`
      "✓ wrote <dir>/metaflow.infra.yaml (stack ml; plugins datastore, network)
      ✓ wrote <dir>/metaflow.infra.schema.json (its $schema line points editors at it, to complete and check the manifest)
      ✓ wrote <dir>/package.json (pins mfinfra 0.1.0, so everyone and CI run the same version)
      ✓ added .mfinfra/, node_modules/ to <dir>/.gitignore
        .mfinfra/state/ is not committed: it holds the template last applied from this machine (for plan --offline);
        the deployed stack is the source of truth, and mfinfra plan compares with it
        not installed: datastore, network (their sections are not in the schema file yet)
        install mfinfra, which brings every first-party plugin: npm install
        then refresh the schema: mfinfra schema <dir>/metaflow.infra.yaml --out <dir>/metaflow.infra.schema.json
      next:
        cd <dir>
        npm install                # the pinned mfinfra and its plugins, from the npm registry
                                   # (from a checkout instead: npm install -D the packed tarballs; see the README)
        npx mfinfra validate       # check the manifest (no AWS needed)
        npx mfinfra plan --offline # preview what apply would create (no AWS needed)
      "
    `);
  });

  it('needs --yes (or every flag) when it cannot ask, and exits 2', async () => {
    const { code, stderr } = await runCli(['init', dir, '--stack-name', 'ml']);
    expect(code).toBe(2);
    expect(stderr).toContain('mfinfra init needs --yes (or --stack-name, --region and --plugins) when it cannot ask on a terminal');
  });

  it('exits 2 (usage) with a clear message when the manifest exists, in text and --json', async () => {
    await writeFile(path.join(dir, 'metaflow.infra.yaml'), 'version: 1\n');
    const text = await runCli(['init', dir, '--yes']);
    expect([text.code, text.stderr]).toEqual([2, expect.stringContaining('already exists; mfinfra init does not overwrite a manifest')]);
    const json = await runCli(['init', dir, '--yes', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'MANIFEST_EXISTS', exitCode: 2 });
  });

  it('prints what it wrote as JSON with --json', async () => {
    const { code, stdout } = await runCli(['init', dir, '--yes', '--json', '--stack-name', 'ml', '--plugins', 'datastore']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect([out.ok, out.manifestFile, out.schemaFile, out.plugins]).toEqual([
      true,
      path.join(dir, 'metaflow.infra.yaml'),
      path.join(dir, 'metaflow.infra.schema.json'),
      ['datastore'],
    ]);
  });
});

describe('init leaves a working project', () => {
  const mfinfraPackage = { name: 'mfinfra', version: '0.1.0', dir: path.join(repo, 'packages/mfinfra') };
  const asMfinfra = (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { out: (t) => (stdout += t + '\n'), err: (t) => (stderr += t + '\n'), color: false, isTTY: false };
    return main(args, io, { cliPackage: mfinfraPackage }).then((code) => ({ code, stdout, stderr }));
  };

  it('run by the mfinfra package in an empty folder: every first-party plugin from its dependencies, a schema that validates the manifest (ajv)', async () => {
    const r = await asMfinfra(['init', dir, '--yes', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.missing).toEqual([]);
    expect(out.plugins).toEqual(['datastore', 'network', 'batch', 'metadata', 'scheduling']);
    const schema = JSON.parse(await readFile(path.join(dir, 'metaflow.infra.schema.json'), 'utf8'));
    const manifest = parseYaml(await readFile(path.join(dir, 'metaflow.infra.yaml'), 'utf8'));
    const checked = validateWithSchemaFile(schema, manifest);
    expect(checked.ok, checked.errors).toBe(true);
    for (const key of ['datastore', 'network', 'batch', 'metadata', 'scheduling']) expect(Object.keys(schema.properties)).toContain(key);
    // …and the schema really checks the sections: a misspelt key in one is an error.
    expect(validateWithSchemaFile(schema, { ...manifest, batch: { ...manifest.batch, jobQueus: [] } }).ok).toBe(false);

    const validated = await asMfinfra(['validate', dir]);
    expect([validated.code, validated.stderr]).toEqual([0, expect.stringMatching(/is valid: stack metaflow, 5 plugins/)]);
    const plugins = JSON.parse((await asMfinfra(['plugins', dir, '--json'])).stdout).plugins as {
      resolvedFrom: string;
      resolution: string;
    }[];
    expect(plugins.map((p) => [p.resolvedFrom, p.resolution])).toEqual(
      Array(5).fill(['cli', 'not installed beside the manifest; a dependency of the running mfinfra 0.1.0']),
    );
    const table = await asMfinfra(['plugins', dir]);
    expect(table.stdout).toMatch(/mfinfra:datastore\s+datastore\s+0\.1\.0 .*@mfinfra\/plugin-datastore\s+with the CLI/);
    expect(table.stdout).toContain(
      "found: beside the manifest (its folder's node_modules or a folder above) first, then the running mfinfra 0.1.0's own dependencies",
    );
  });

  it('a plugin installed beside the manifest wins over the CLI’s own copy, and plugins says why', async () => {
    await mkdir(path.join(dir, 'node_modules/@mfinfra'), { recursive: true });
    await symlink(path.join(repo, 'packages/plugin-datastore'), path.join(dir, 'node_modules/@mfinfra/plugin-datastore'), 'dir');
    expect((await asMfinfra(['init', dir, '--yes', '--plugins', 'datastore'])).code).toBe(0);
    const [datastore] = JSON.parse((await asMfinfra(['plugins', dir, '--json'])).stdout).plugins;
    expect([datastore.resolvedFrom, datastore.resolution]).toEqual([
      'manifest',
      `installed beside the manifest (in ${path.join(dir, 'node_modules')})`,
    ]);
  });

  it('writes package.json pinning mfinfra and a .gitignore for local state when there are none', async () => {
    const r = await asMfinfra(['init', dir, '--yes', '--plugins', 'datastore']);
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'))).toMatchObject({
      private: true,
      devDependencies: { mfinfra: '0.1.0' },
    });
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toBe(
      '# mfinfra: local state (the template last applied from this machine) and installed packages\n.mfinfra/\nnode_modules/\n',
    );
    expect(r.stderr).toContain('.mfinfra/state/ is not committed');
  });

  it('leaves an existing package.json alone (saying when it lacks mfinfra) and adds only missing .gitignore lines', async () => {
    const pkg = '{ "name": "mine", "private": true }\n';
    await writeFile(path.join(dir, 'package.json'), pkg);
    await writeFile(path.join(dir, '.gitignore'), 'dist\nnode_modules\n');
    const r = await asMfinfra(['init', dir, '--yes', '--plugins', 'datastore']);
    expect(r.code).toBe(0);
    expect(await readFile(path.join(dir, 'package.json'), 'utf8')).toBe(pkg);
    expect(r.stderr).toContain('package.json does not list mfinfra; pin it: npm install -D mfinfra@0.1.0');
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toBe(
      'dist\nnode_modules\n\n# mfinfra: local state (the template last applied from this machine) and installed packages\n.mfinfra/\n',
    );
    // Run again elsewhere in the same project: nothing is added twice.
    const sub = path.join(dir, 'infra');
    await mkdir(sub);
    await writeFile(path.join(sub, '.gitignore'), '/.mfinfra\nnode_modules/\n');
    const again = JSON.parse((await asMfinfra(['init', sub, '--yes', '--json', '--plugins', 'datastore'])).stdout);
    expect([again.gitignore.added, again.packageJson]).toEqual([
      [],
      { file: path.join(dir, 'package.json'), written: false, listsMfinfra: false },
    ]);
  });

  it('a misspelt plugin gets "did you mean", an unknown package is never suggested for installing; exit 2, nothing written', async () => {
    const typo = await runCli(['init', dir, '--yes', '--plugins', 'datastor,network']);
    expect([typo.code, typo.stderr]).toEqual([2, expect.stringContaining('unknown plugin "datastor": did you mean datastore?')]);
    const unknown = await runCli(['init', dir, '--yes', '--plugins', 'mfinfra-plugin-unheard-of']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('plugin "mfinfra-plugin-unheard-of" is neither a first-party plugin');
    expect(unknown.stderr).not.toMatch(/npm (i|install)\b/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a requirement no listed or first-party plugin meets is reported, and nothing is written', async () => {
    await writeFile(
      path.join(dir, 'needs-gpu.mjs'),
      "export default { name: 'test:needs-gpu', apiVersion: 1, key: 'needsGpu', schema: { type: 'object' }, requires: ['gpuCompute'] };\n",
    );
    const r = await runCli(['init', dir, '--yes', '--plugins', './needs-gpu.mjs']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('unmet plugin requirements: ./needs-gpu.mjs requires "gpuCompute"')]);
    expect(readdirSync(dir)).toEqual(['needs-gpu.mjs']);
  });

  it('on a terminal, a misspelt plugin is explained and asked again', async () => {
    const t = terminal('ml\nus-east-1\ndatastor\ndatastore\n');
    const answers = await askInitAnswers(
      {},
      { stackName: 'metaflow', plugins: ['datastore'] },
      { ...t.io, checkPlugins: (p) => checkPluginNames(p, dir) },
    );
    expect(answers.plugins).toEqual(['datastore']);
    expect(t.said()).toContain('unknown plugin "datastor": did you mean datastore?');
  });
});
