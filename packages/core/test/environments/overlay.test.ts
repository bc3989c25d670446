/**
 * `environments:` overlays: the merge rules (mappings merge, lists replace, plugins may be added but
 * not dropped), positions of problems inside overlays, every environment checked at once, the editor
 * schema, and the per-environment names (local state, Metaflow config file).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, loadProject, MfinfraError, stateFilePath } from '../../src/index.js';
import { compileEnvironments, mapWithLimit } from '../../src/environments/all.js';
import { mergeOverlay } from '../../src/environments/overlay.js';
import { partialSchema } from '../../src/environments/schema.js';
import { getSchema } from '../../src/load/editorSchema.js';
import { compileSchema } from '../../src/load/validate.js';
import { lockFilePath } from '../../src/state/lock.js';
import { tempProject } from '../helpers/tempProject.js';

const BASE = `version: 1
stack:
  name: metaflow
  region: us-west-2
  tags: { team: ml }
plugins: [datastore]
datastore:
  bucket:
    versioning: true
  sysroot: metaflow
`;

/** A base manifest with batch (one compute environment, one queue), for overlays to change. */
const BATCH_BASE = `version: 1
stack: { name: metaflow, region: us-west-2 }
plugins: [network, datastore, batch]
network: { create: { cidr: 10.9.0.0/16, azs: 2 } }
datastore: { sysroot: metaflow }
batch:
  computeEnvironments: [{ name: cpu, instanceTypes: [c5], maxVcpus: 16 }]
  jobQueues: [{ name: default, computeEnvironments: [cpu] }]
`;

async function thrown(p: Promise<unknown>): Promise<MfinfraError> {
  try {
    await p;
  } catch (e) {
    if (MfinfraError.is(e)) return e;
    throw e;
  }
  throw new Error('expected an MfinfraError');
}

function at(text: string, needle: string, nth = 0): { line: number; column: number } {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const col = lines[i]!.indexOf(needle);
    if (col >= 0 && seen++ === nth) return { line: i + 1, column: col + 1 };
  }
  throw new Error(`${needle} not in text`);
}

describe('mergeOverlay', () => {
  it('merges mappings key by key, at every depth', () => {
    expect(mergeOverlay({ a: { b: { c: 1, d: 2 }, e: 3 }, f: 4 }, { a: { b: { c: 9 } } })).toEqual({
      a: { b: { c: 9, d: 2 }, e: 3 },
      f: 4,
    });
  });
  it('replaces lists whole, and scalars', () => {
    expect(mergeOverlay({ l: [1, 2, 3], s: 'x' }, { l: [4], s: 'y' })).toEqual({ l: [4], s: 'y' });
    // A list item is not merged with the base's item at the same index.
    expect(mergeOverlay({ l: [{ name: 'cpu', max: 1 }] }, { l: [{ name: 'gpu' }] })).toEqual({ l: [{ name: 'gpu' }] });
  });
  it('lets a mapping replace a scalar and the other way round, and leaves both inputs unchanged', () => {
    const base = { a: { b: 1 }, c: 'x' };
    const overlay = { a: 'flat', c: { deep: true } };
    expect(mergeOverlay(base, overlay)).toEqual({ a: 'flat', c: { deep: true } });
    expect(base).toEqual({ a: { b: 1 }, c: 'x' });
    const merged = mergeOverlay(base, {}) as { a: { b: number } };
    merged.a.b = 2;
    expect(base.a.b).toBe(1);
  });
});

describe('loading one environment', () => {
  const manifest = `${BASE}environments:
  dev:
    stack: { name: metaflow-dev, profile: dev-admin }
    datastore:
      sysroot: dev
  prod:
    stack:
      name: metaflow-prod
      region: us-east-1
      account: "123456789012"
      tags: { stage: prod }
`;

  it('deep-merges the overlay over the base and defaults the Metaflow profile to the environment name', async () => {
    const dev = await loadProject({ text: manifest, cwd: tempProject({}), env: 'dev' });
    expect(dev.environment).toEqual({ name: 'dev', names: ['dev', 'prod'] });
    expect(dev.manifest.stack).toMatchObject({ name: 'metaflow-dev', region: 'us-west-2', profile: 'dev-admin', tags: { team: 'ml' } });
    expect(dev.manifest.datastore).toMatchObject({ sysroot: 'dev', bucket: { versioning: true } });
    expect(dev.manifest.outputs.metaflowConfig).toMatchObject({ enabled: true, profile: 'dev' });
    expect(dev.manifest).not.toHaveProperty('environments');

    const prod = await loadProject({ text: manifest, cwd: tempProject({}), env: 'prod' });
    expect(prod.manifest.stack).toMatchObject({
      name: 'metaflow-prod',
      region: 'us-east-1',
      account: '123456789012',
      tags: { team: 'ml', stage: 'prod' },
    });
    expect(prod.manifest.datastore).toMatchObject({ sysroot: 'metaflow' });
  });

  it('compiles each environment to its own stack; without environments the template is what it was', async () => {
    const cwd = tempProject({ 'metaflow.infra.yaml': manifest, 'plain/metaflow.infra.yaml': BASE });
    const dev = await compile({ cwd, env: 'dev' });
    const prod = await compile({ cwd, env: 'prod' });
    expect(dev.environment).toBe('dev');
    expect(dev.stackName).toBe('metaflow-dev');
    expect(prod.region).toBe('us-east-1');
    expect(dev.body).not.toBe(prod.body);
    // The base alone (no environments key) compiles exactly as before, and knows of no environment.
    const plain = await compile({ cwd: path.join(cwd, 'plain') });
    expect(plain.environment).toBeUndefined();
    expect(plain.stackName).toBe('metaflow');
  });

  it('a manifest with environments needs --env; a wrong name is a usage error with a suggestion', async () => {
    const cwd = tempProject({ 'metaflow.infra.yaml': manifest });
    const none = await thrown(loadProject({ cwd }));
    expect(none.code).toBe('ENVIRONMENT_REQUIRED');
    expect(none.exitCode).toBe(2);
    expect(none.message).toContain('declares environments dev, prod');
    expect(none.hint).toContain('--env dev');
    const typo = await thrown(loadProject({ cwd, env: 'prd' }));
    expect(typo.code).toBe('ENVIRONMENT_UNKNOWN');
    expect(typo.exitCode).toBe(2);
    expect(typo.hint).toContain('did you mean "prod"?');
    const plain = await thrown(loadProject({ text: BASE, cwd, env: 'dev' }));
    expect(plain.code).toBe('ENVIRONMENT_UNKNOWN');
    expect(plain.message).toContain('declares no environments');
  });
});

describe('plugins in overlays', () => {
  it('an environment may add a plugin (and its section)', async () => {
    const text = `${BASE}environments:
  full:
    stack: { name: metaflow-full }
    plugins: [datastore, network]
    network: { create: { cidr: 10.9.0.0/16, azs: 2 } }
`;
    const project = await loadProject({ text, cwd: tempProject({}), env: 'full' });
    expect(project.plugins.map((p) => p.plugin.key).sort()).toEqual(['datastore', 'network']);
  });

  it('an environment that leaves out a plugin of the base is refused at its plugins line', async () => {
    const text = `version: 1
stack: { name: metaflow, region: us-west-2 }
plugins: [datastore, network]
datastore: { sysroot: metaflow }
network: { create: { cidr: 10.9.0.0/16, azs: 2 } }
environments:
  small:
    stack: { name: metaflow-small }
    plugins: [datastore]
`;
    const e = await thrown(loadProject({ text, cwd: tempProject({}), env: 'small' }));
    const d = e.diagnostics.find((x) => x.code === 'ENVIRONMENT_INVALID')!;
    expect(d.message).toContain('leaves out plugin network that the base manifest loads');
    expect(d.loc).toMatchObject(at(text, '[datastore]'));
    expect(d.hint).toContain('move it from the base plugins');
  });
});

describe('positions of problems', () => {
  it('a bad value the overlay set points at the overlay; one it inherited points at the base', async () => {
    const text = `version: 1
stack: { name: metaflow, region: us-west-2 }
plugins: [datastore]
datastore:
  sysroot: metaflow
  bucket:
    versioning: maybe
environments:
  dev:
    stack: { name: metaflow-dev }
    datastore:
      sysrot: dev
  prod:
    stack: { name: metaflow-prod }
    datastore:
      bucket:
        versioning: true
`;
    const e = await thrown(compileEnvironments({ text, cwd: tempProject({}) }));
    expect(e.code).toBe('MANIFEST_INVALID');
    const unknown = e.diagnostics.find((d) => d.message.includes('sysrot'))!;
    expect(unknown.loc).toMatchObject(at(text, 'sysrot'));
    expect(unknown.message).toContain('(environment dev)');
    expect(unknown.hint).toContain('did you mean "sysroot"?');
    // versioning: maybe is the base's, and prod replaces it: only dev has the problem, at the base's line.
    const bad = e.diagnostics.filter((d) => d.path === 'datastore.bucket.versioning');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.loc).toMatchObject(at(text, 'maybe'));
    expect(bad[0]!.message).toContain('(environment dev)');
  });

  it('a value inside a list the overlay replaced points into the overlay', async () => {
    const text = `${BATCH_BASE}environments:
  big:
    stack: { name: metaflow-big }
    batch:
      computeEnvironments:
        - name: cpu
          instanceTypes: [c5]
          maxVcpus: lots
`;
    const e = await thrown(loadProject({ text, cwd: tempProject({}), env: 'big' }));
    const d = e.diagnostics.find((x) => x.path === 'batch.computeEnvironments[0].maxVcpus') ?? e;
    expect(d.loc).toMatchObject(at(text, 'lots'));
  });

  it("a plugin check's problem about a value the overlay set points at the overlay", async () => {
    const text = `${BATCH_BASE}environments:
  dev:
    stack: { name: metaflow-dev }
    batch:
      jobQueues: [{ name: default, computeEnvironments: [gpu] }]
`;
    const e = await thrown(compile({ text, cwd: tempProject({}), env: 'dev' }));
    const d = (e.diagnostics.length ? e.diagnostics : [e]).find((x) => x.plugin === 'mfinfra:batch')!;
    expect(d, e.message).toBeDefined();
    expect(d.loc?.line).toBe(at(text, 'gpu').line);
  });

  it('a problem of the base shows once, not once per environment; the overlay rules are positioned too', async () => {
    const text = `version: 1
stack: { name: metaflow, region: us-west-2 }
plugins: [datastore]
datastore: { sysroot: metaflow, colour: blue }
outputs:
  metaflowConfig: { profile: shared }
environments:
  dev:
    stack: { name: metaflow-dev }
  qa:
    version: 1
    stack: { region: eu-west-1 }
  Bad.Name:
    stack: { name: metaflow-x }
`;
    const e = await thrown(compileEnvironments({ text, cwd: tempProject({}) }));
    const messages = e.diagnostics.map((d) => d.message);
    expect(messages.filter((m) => m.includes('colour'))).toHaveLength(1);
    expect(messages.find((m) => m.includes('colour'))).not.toContain('(environment');
    const named = e.diagnostics.find((d) => d.message.includes('"Bad.Name" is not valid'))!;
    expect(named.loc).toMatchObject(at(text, 'Bad.Name'));
    const version = e.diagnostics.find((d) => d.message.includes('sets "version"'))!;
    expect(version.loc).toMatchObject(at(text, 'version', 1));
    const noName = e.diagnostics.find((d) => d.message.includes('environment qa does not name its stack'))!;
    expect(noName.loc).toMatchObject(at(text, 'stack: { region'));
    const profile = e.diagnostics.find((d) => d.message.includes('outputs.metaflowConfig.profile is set in the base'))!;
    expect(profile.loc).toMatchObject(at(text, 'shared'));
  });

  it('two environments on the same stack are refused at the second one', async () => {
    const text = `${BASE}environments:
  a:
    stack: { name: metaflow-x }
  b:
    stack: { name: metaflow-x }
`;
    const e = await thrown(compileEnvironments({ text, cwd: tempProject({}) }));
    const d = e.diagnostics.find((x) => x.message.includes('both deploy stack metaflow-x'));
    expect(d?.loc).toMatchObject(at(text, 'metaflow-x', 1));
  });

  it('an account id written as a number is refused by the schema with its position', async () => {
    const text = `${BASE}environments:
  prod:
    stack: { name: metaflow-prod, account: 123456789012 }
`;
    const e = await thrown(loadProject({ text, cwd: tempProject({}), env: 'prod' }));
    expect(e.diagnostics.some((d) => d.path === 'stack.account' && d.loc?.line === at(text, '123456789012').line)).toBe(true);
  });
});

describe('every environment at once', () => {
  it('compiles every environment, in file order, a bounded number at a time', async () => {
    const text = `${BASE}environments:
${['a', 'b', 'c', 'd', 'e'].map((n) => `  ${n}:\n    stack: { name: metaflow-${n} }\n`).join('')}`;
    const { results } = await compileEnvironments({ text, cwd: tempProject({}), concurrency: 2 });
    expect(results.map((r) => [r.environment, r.stackName])).toEqual(['a', 'b', 'c', 'd', 'e'].map((n) => [n, `metaflow-${n}`]));
  });

  it('mapWithLimit keeps the order and never runs more than the limit', async () => {
    let running = 0;
    let most = 0;
    const out = await mapWithLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});

describe('per-environment names', () => {
  it('local state and the stack lock live in a folder per environment; the base keeps its path', () => {
    expect(stateFilePath('/p', 'metaflow-dev', 'dev')).toBe(path.join('/p', '.mfinfra', 'state', 'dev', 'metaflow-dev.json'));
    expect(stateFilePath('/p', 'metaflow')).toBe(path.join('/p', '.mfinfra', 'state', 'metaflow.json'));
    expect(lockFilePath('/p', 'metaflow', 'prod')).toBe(path.join('/p', '.mfinfra', 'state', 'prod', 'metaflow.lock'));
    expect(() => stateFilePath('/p', 'metaflow', '../x')).toThrow(/invalid environment name/);
  });

  it('each environment writes config_<env>.json, or the profile or path its overlay sets', async () => {
    const text = `${BASE}environments:
  dev:
    stack: { name: metaflow-dev }
  prod:
    stack: { name: metaflow-prod }
    outputs: { metaflowConfig: { profile: production } }
  ci:
    stack: { name: metaflow-ci }
    outputs: { metaflowConfig: { path: ./ci-config.json } }
`;
    const cwd = tempProject({});
    const config = async (env: string) => (await loadProject({ text, cwd, env })).manifest.outputs.metaflowConfig;
    expect(await config('dev')).toMatchObject({ profile: 'dev' });
    expect(await config('prod')).toMatchObject({ profile: 'production' });
    expect(await config('ci')).toMatchObject({ path: './ci-config.json' });
    expect((await config('ci')).profile).toBeUndefined();
  });
});

describe('the editor schema', () => {
  it('describes environments with partial sections that ajv compiles in strict mode, and validates overlays', async () => {
    const cwd = tempProject({ 'metaflow.infra.yaml': BASE });
    const { schema } = await getSchema({ cwd });
    const envs = (schema.properties as Record<string, any>).environments;
    expect(envs.additionalProperties.required).toEqual(['stack']);
    expect(envs.additionalProperties.properties.stack.required).toEqual(['name']);
    expect(envs.additionalProperties.properties).not.toHaveProperty('version');
    const validate = compileSchema(schema, { MFINFRA_NO_CACHE: '1' });
    const ok = {
      version: 1,
      stack: { name: 'm' },
      plugins: ['datastore'],
      environments: { dev: { stack: { name: 'd' }, datastore: { sysroot: 'x' } } },
    };
    expect(validate(ok)).toBe(true);
    expect(validate({ ...ok, environments: { dev: { datastore: {} } } })).toBe(false); // no stack
    expect(validate({ ...ok, environments: { dev: { stack: { name: 'd' }, datastore: { colour: 1 } } } })).toBe(false);
  });

  it('partialSchema drops required at every mapping level, keeps list items whole and relaxes oneOf', () => {
    const s = partialSchema({
      type: 'object',
      required: ['a'],
      properties: {
        a: { type: 'object', required: ['b'], properties: { b: { type: 'string' } } },
        l: { type: 'array', items: { type: 'object', required: ['name'] } },
        o: { oneOf: [{ required: ['x'] }, { required: ['y'] }] },
      },
    }) as any;
    expect(s.required).toBeUndefined();
    expect(s.properties.a.required).toBeUndefined();
    expect(s.properties.l.items.required).toEqual(['name']);
    expect(s.properties.o).toEqual({ anyOf: [{}, {}] });
  });
});
