import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MfinfraError } from '../../src/errors.js';
import { formatMetaflowConfig, writeConfigOutputs } from '../../src/outputs/index.js';
import type { WriteOutputsOptions } from '../../src/outputs/types.js';
import { compileManifest } from '../../src/testing.js';
import { API_KEY_VALUE, recordedOutputs, testPlugins } from './plugins.js';

const apiGateway = mockClient(APIGatewayClient);

let dir: string;
let home: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-outputs-'));
  home = path.join(dir, 'mfhome');
  apiGateway.reset();
  apiGateway
    .on(GetApiKeyCommand, { apiKey: 'k1a2b3c4d5', includeValue: true })
    .resolves({ id: 'k1a2b3c4d5', value: API_KEY_VALUE, enabled: true });
});
afterEach(() => apiGateway.reset());

function manifest(outputs = '', plugins = 'store, service, queue'): string {
  return `version: 1\nstack: { name: metaflow-prod, region: us-west-2 }\nplugins: [${plugins}]\n${outputs}`;
}

async function run(outputsYaml = '', options: WriteOutputsOptions = {}, stackOutputs = recordedOutputs, plugins?: string) {
  const compiled = await compileManifest(manifest(outputsYaml, plugins), { plugins: testPlugins, cwd: dir });
  return writeConfigOutputs({
    compiled,
    stackOutputs,
    region: 'us-west-2',
    options: { env: { METAFLOW_HOME: home, HOME: dir }, now: () => new Date('2026-11-26T12:00:00Z'), ...options },
  });
}

async function failure(p: Promise<unknown>): Promise<MfinfraError> {
  try {
    await p;
  } catch (e) {
    return e as MfinfraError;
  }
  throw new Error('expected a failure');
}

describe('writeConfigOutputs: the Metaflow config file', () => {
  it("writes $METAFLOW_HOME/config.json in Metaflow's exact format, with the API key fetched by id, mode 0600", async () => {
    const result = await run();
    const file = path.join(home, 'config.json');
    expect(readFileSync(file, 'utf8')).toBe(`{
    "METAFLOW_BATCH_JOB_QUEUE": "arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default",
    "METAFLOW_DATASTORE_SYSROOT_S3": "s3://metaflow-prod-bucket-1x2y3z/metaflow",
    "METAFLOW_DATATOOLS_S3ROOT": "s3://metaflow-prod-bucket-1x2y3z/data",
    "METAFLOW_DEFAULT_DATASTORE": "s3",
    "METAFLOW_DEFAULT_METADATA": "service",
    "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": "arn:aws:iam::123456789012:role/metaflow-prod-batch-job",
    "METAFLOW_SERVICE_AUTH_KEY": "${API_KEY_VALUE}",
    "METAFLOW_SERVICE_INTERNAL_URL": "https://abc123defg.execute-api.us-west-2.amazonaws.com/api/",
    "METAFLOW_SERVICE_URL": "https://abc123defg.execute-api.us-west-2.amazonaws.com/api/"
}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(apiGateway.commandCalls(GetApiKeyCommand)).toHaveLength(1);
    expect(result.files).toHaveLength(1);
    expect(result.files[0]).toMatchObject({ kind: 'metaflow-config', path: file, status: 'created', written: true, mode: 0o600, diff: '' });
    // The secret never leaves the config file: redacted in the result (what the CLI prints).
    expect(JSON.stringify(result)).not.toContain(API_KEY_VALUE);
    expect(result.values.METAFLOW_SERVICE_AUTH_KEY).toBe('<redacted>');
    expect(result.secretKeys).toEqual(['METAFLOW_SERVICE_AUTH_KEY']);
    expect(result.notes[0]).toContain(
      'Metaflow does not read AWS_DEFAULT_REGION from its config file: export AWS_DEFAULT_REGION=us-west-2',
    );
    // The record of what mfinfra wrote holds fingerprints, never values.
    const record = readFileSync(path.join(home, '.config.json.mfinfra.json'), 'utf8');
    expect(record).not.toContain(API_KEY_VALUE);
    expect(JSON.parse(record)).toMatchObject({ generator: 'mfinfra', stack: 'metaflow-prod', region: 'us-west-2' });
    expect(Object.keys(JSON.parse(record).keys)).toHaveLength(9);
  });

  it('can be loaded with the rules Metaflow uses: one flat object, string values, every promised key present and non-empty', async () => {
    const compiled = await compileManifest(manifest(), { plugins: testPlugins, cwd: dir });
    await run();
    const config: unknown = JSON.parse(readFileSync(path.join(home, 'config.json'), 'utf8'));
    expect(config !== null && typeof config === 'object' && !Array.isArray(config)).toBe(true);
    const entries = Object.entries(config as Record<string, unknown>);
    for (const [key, value] of entries) {
      expect(key).toMatch(/^METAFLOW_[A-Z0-9_]+$/);
      expect(typeof value).toBe('string');
    }
    const promised = [...compiled.configOutputs.map((c) => c.key), 'METAFLOW_SERVICE_AUTH_KEY'].sort();
    expect(entries.map(([k]) => k).sort()).toEqual(promised);
    for (const key of promised) expect((config as Record<string, string>)[key]).not.toBe('');
  });

  it('writes config_<profile>.json for a named profile, and any path given (relative to the manifest)', async () => {
    const r1 = await run('outputs: { metaflowConfig: { profile: prod } }');
    expect(r1.files[0]!.path).toBe(path.join(home, 'config_prod.json'));
    expect(r1.notes).toContain('select this config with METAFLOW_PROFILE=prod');
    const r2 = await run('outputs: { metaflowConfig: { path: .metaflow/config.json } }');
    expect(r2.files[0]!.path).toBe(path.join(dir, '.metaflow/config.json'));
    expect(existsSync(path.join(dir, '.metaflow/config.json'))).toBe(true);
  });

  it('defaults to ~/.metaflowconfig when METAFLOW_HOME is not set', async () => {
    const compiled = await compileManifest(manifest(), { plugins: testPlugins, cwd: dir });
    const r = await writeConfigOutputs({
      compiled,
      stackOutputs: recordedOutputs,
      region: 'us-west-2',
      options: { env: { HOME: dir } },
    });
    expect(r.files[0]!.path).toBe(path.join(dir, '.metaflowconfig/config.json'));
  });

  it('keeps keys the user added, updates keys mfinfra wrote, shows a diff and keeps a backup', async () => {
    await run();
    const file = path.join(home, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.METAFLOW_BATCH_CONTAINER_IMAGE = 'python:3.12';
    writeFileSync(file, formatMetaflowConfig(config)); // as `metaflow configure` would write it
    const before = readFileSync(file, 'utf8');
    const changed = { ...recordedOutputs, MetaflowBatchJobQueue: 'arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-gpu' };
    const r = await run('', {}, changed);
    const f = r.files[0]!;
    expect(f.status).toBe('updated');
    expect(f.keptKeys).toEqual(['METAFLOW_BATCH_CONTAINER_IMAGE']);
    expect(f.conflicts).toEqual([]);
    expect(f.backup).toBe(`${file}.bak`);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(before);
    expect(statSync(`${file}.bak`).mode & 0o777).toBe(0o600);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.METAFLOW_BATCH_CONTAINER_IMAGE).toBe('python:3.12');
    expect(after.METAFLOW_BATCH_JOB_QUEUE).toBe('arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-gpu');
    expect(f.diff).toBe(`--- ${file}
+++ ${file}
@@ -1,6 +1,6 @@
 {
     "METAFLOW_BATCH_CONTAINER_IMAGE": "python:3.12",
-    "METAFLOW_BATCH_JOB_QUEUE": "arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default",
+    "METAFLOW_BATCH_JOB_QUEUE": "arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-gpu",
     "METAFLOW_DATASTORE_SYSROOT_S3": "s3://metaflow-prod-bucket-1x2y3z/metaflow",
     "METAFLOW_DATATOOLS_S3ROOT": "s3://metaflow-prod-bucket-1x2y3z/data",
     "METAFLOW_DEFAULT_DATASTORE": "s3",
`);
  });

  it('refuses to overwrite a key the user changed by hand, writing nothing; --force overwrites and keeps a backup', async () => {
    await run();
    const file = path.join(home, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.METAFLOW_DATASTORE_SYSROOT_S3 = 's3://my-own-bucket/mf';
    const handEdited = JSON.stringify(config, null, 4);
    writeFileSync(file, handEdited);
    const err = await failure(run());
    expect(err.code).toBe('OUTPUT_CONFLICT');
    expect(err.message).toBe(
      `${file} has a setting changed by hand that the deployment would overwrite:\n  METAFLOW_DATASTORE_SYSROOT_S3: file has s3://my-own-bucket/mf, deployment has s3://metaflow-prod-bucket-1x2y3z/metaflow`,
    );
    expect(err.hint).toContain('--force');
    expect(err.message).not.toContain(API_KEY_VALUE);
    expect(readFileSync(file, 'utf8')).toBe(handEdited);
    expect(existsSync(`${file}.bak`)).toBe(false);

    const printed = await run('', { print: true });
    expect(printed.files[0]!.conflicts).toEqual([
      { key: 'METAFLOW_DATASTORE_SYSROOT_S3', current: 's3://my-own-bucket/mf', deployed: 's3://metaflow-prod-bucket-1x2y3z/metaflow' },
    ]);
    expect(readFileSync(file, 'utf8')).toBe(handEdited);

    const forced = await run('', { force: true });
    expect(forced.notes).toContain('overwrote settings changed by hand: METAFLOW_DATASTORE_SYSROOT_S3');
    expect(JSON.parse(readFileSync(file, 'utf8')).METAFLOW_DATASTORE_SYSROOT_S3).toBe('s3://metaflow-prod-bucket-1x2y3z/metaflow');
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(handEdited);
  });

  it('treats a config written by `metaflow configure` (no mfinfra record) as the user’s: differing keys conflict', async () => {
    mkdirSync(home, { recursive: true });
    const file = path.join(home, 'config.json');
    writeFileSync(file, JSON.stringify({ METAFLOW_DEFAULT_DATASTORE: 's3', METAFLOW_SERVICE_AUTH_KEY: 'an-old-key-value' }, null, 4));
    const err = await failure(run());
    expect(err.message).toContain('METAFLOW_SERVICE_AUTH_KEY: file has <redacted>, deployment has <redacted>');
    expect(err.message).not.toContain('an-old-key-value');
    const printed = await run('', { print: true });
    expect(printed.files[0]!.diff).not.toContain('an-old-key-value');
    expect(printed.files[0]!.diff).toContain('-    "METAFLOW_SERVICE_AUTH_KEY": "<redacted>"\n');
  });

  it('removes keys it wrote before that no plugin sets any more', async () => {
    await run();
    const r = await run('', {}, recordedOutputs, 'store, service');
    const config = JSON.parse(readFileSync(path.join(home, 'config.json'), 'utf8'));
    expect(Object.keys(config)).not.toContain('METAFLOW_BATCH_JOB_QUEUE');
    expect(r.files[0]!.keptKeys).toEqual([]);
  });

  it('--print renders and reports without writing anything', async () => {
    const r = await run('outputs: { envFile: .metaflow.env }', { print: true });
    expect(r.files.map((f) => [f.kind, f.status, f.written])).toEqual([
      ['metaflow-config', 'created', false],
      ['env-file', 'created', false],
    ]);
    expect(r.files[0]!.content).toContain('"METAFLOW_SERVICE_AUTH_KEY": "<redacted>"');
    expect(existsSync(home)).toBe(false);
    expect(existsSync(path.join(dir, '.metaflow.env'))).toBe(false);
  });

  it('is unchanged on a second identical run (no backup churn)', async () => {
    await run();
    const r = await run();
    expect(r.files[0]).toMatchObject({ status: 'unchanged', written: false, diff: '' });
    expect(existsSync(path.join(home, 'config.json.bak'))).toBe(false);
  });

  it('makes an unchanged config that others could read private again (it holds the API key)', async () => {
    await run();
    const file = path.join(home, 'config.json');
    chmodSync(file, 0o644);
    const r = await run();
    expect(r.files[0]!.status).toBe('unchanged');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('writeConfigOutputs: errors, nothing half-written', () => {
  it('names the config key and stack output that are missing', async () => {
    const { MetaflowBatchJobQueue: _, ...partial } = recordedOutputs;
    const err = await failure(run('outputs: { envFile: .metaflow.env }', {}, partial));
    expect(err.code).toBe('OUTPUT_MISSING');
    expect(err.message).toBe(
      'stack metaflow-prod has no output for METAFLOW_BATCH_JOB_QUEUE (stack output MetaflowBatchJobQueue, from test:queue)',
    );
    expect(err.hint).toContain('mfinfra apply');
    expect(existsSync(home)).toBe(false);
    expect(existsSync(path.join(dir, '.metaflow.env'))).toBe(false);
  });

  it('names the API key id output when it is missing', async () => {
    const { MetadataApiKeyId: _, ...partial } = recordedOutputs;
    const err = await failure(run('', {}, partial));
    expect(err.message).toBe(
      'stack metaflow-prod has no output MetadataApiKeyId (the API key id for METAFLOW_SERVICE_AUTH_KEY, from test:service)',
    );
  });

  it('explains a failed GetApiKey', async () => {
    apiGateway.reset();
    apiGateway
      .on(GetApiKeyCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform apigateway:GET'), { name: 'AccessDeniedException' }));
    const err = await failure(run());
    expect(err.code).toBe('AWS_ACCESS_DENIED');
    expect(err.message).toBe(
      'AWS refused to read API key k1a2b3c4d5 (the value of METAFLOW_SERVICE_AUTH_KEY): User is not authorized to perform apigateway:GET',
    );
    expect(existsSync(home)).toBe(false);
  });

  it('refuses a relative destination that escapes the manifest folder', async () => {
    const err = await failure(run('outputs: { envFile: ../../etc/metaflow.env }'));
    expect(err.code).toBe('OUTPUT_UNWRITABLE');
    expect(err.message).toBe(
      `outputs.envFile path "../../etc/metaflow.env" resolves to ${path.resolve(dir, '../../etc/metaflow.env')}, outside the manifest's folder ${dir}`,
    );
    expect(existsSync(home)).toBe(false);
  });

  it('refuses a relative destination that leaves the manifest folder through a symlinked folder', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-outside-'));
    symlinkSync(outside, path.join(dir, 'link'));
    const err = await failure(run('outputs: { envFile: link/metaflow.env }'));
    expect(err.code).toBe('OUTPUT_UNWRITABLE');
    expect(err.message).toContain(
      `outputs.envFile path "link/metaflow.env" resolves to ${path.join(dir, 'link/metaflow.env')}, outside the manifest's folder`,
    );
    expect(existsSync(path.join(outside, 'metaflow.env'))).toBe(false);
  });

  it('allows a relative path into the Metaflow home, and absolute paths', async () => {
    const abs = path.join(dir, 'elsewhere', 'deep', 'mf.env');
    const r = await run(`outputs: { envFile: ${abs}, metaflowConfig: { path: mfhome/custom.json } }`);
    expect(r.files.map((f) => f.path)).toEqual([path.join(home, 'custom.json'), abs]);
    expect(existsSync(abs)).toBe(true);
  });

  it('reports an unwritable destination before writing anything', async () => {
    writeFileSync(path.join(dir, 'not-a-folder'), 'x');
    const err = await failure(run('outputs: { envFile: not-a-folder/metaflow.env }'));
    expect(err.code).toBe('OUTPUT_UNWRITABLE');
    expect(err.message).toBe(
      `cannot write env-file ${path.join(dir, 'not-a-folder/metaflow.env')}: ${path.join(dir, 'not-a-folder')} is not a folder`,
    );
    expect(existsSync(path.join(home, 'config.json'))).toBe(false);
  });

  it('refuses two outputs with the same destination (when the manifest is loaded, at the second one)', async () => {
    writeFileSync(path.join(dir, 'a.hbs'), 'x');
    const err = await failure(run('outputs: { envFile: out.env, files: [{ template: a.hbs, path: out.env }] }'));
    expect(err.message).toBe(`outputs.files[0].path and outputs.envFile write the same file ${path.join(dir, 'out.env')}`);
    expect(err.loc).toMatchObject({ line: 4, column: 63 });
    expect(err.exitCode).toBe(3);
  });
});

describe('writeConfigOutputs: env file', () => {
  it('writes shell exports with AWS_DEFAULT_REGION and without the API key', async () => {
    await run('outputs: { envFile: .metaflow.env }');
    expect(readFileSync(path.join(dir, '.metaflow.env'), 'utf8'))
      .toBe(`# Metaflow settings for stack metaflow-prod (us-west-2), written by mfinfra.
# Load with: source <this file>
export AWS_DEFAULT_REGION='us-west-2'
export METAFLOW_BATCH_JOB_QUEUE='arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default'
export METAFLOW_DATASTORE_SYSROOT_S3='s3://metaflow-prod-bucket-1x2y3z/metaflow'
export METAFLOW_DATATOOLS_S3ROOT='s3://metaflow-prod-bucket-1x2y3z/data'
export METAFLOW_DEFAULT_DATASTORE='s3'
export METAFLOW_DEFAULT_METADATA='service'
export METAFLOW_ECS_S3_ACCESS_IAM_ROLE='arn:aws:iam::123456789012:role/metaflow-prod-batch-job'
export METAFLOW_SERVICE_INTERNAL_URL='https://abc123defg.execute-api.us-west-2.amazonaws.com/api/'
export METAFLOW_SERVICE_URL='https://abc123defg.execute-api.us-west-2.amazonaws.com/api/'
`);
  });

  it('writes dotenv lines', async () => {
    await run('outputs: { envFile: { path: ci/metaflow.env, format: dotenv } }', {}, recordedOutputs, 'store');
    expect(readFileSync(path.join(dir, 'ci/metaflow.env'), 'utf8'))
      .toBe(`# Metaflow settings for stack metaflow-prod (us-west-2), written by mfinfra.
AWS_DEFAULT_REGION='us-west-2'
METAFLOW_DATASTORE_SYSROOT_S3='s3://metaflow-prod-bucket-1x2y3z/metaflow'
METAFLOW_DATATOOLS_S3ROOT='s3://metaflow-prod-bucket-1x2y3z/data'
METAFLOW_DEFAULT_DATASTORE='s3'
`);
  });
});

describe('writeConfigOutputs: user templates', () => {
  it('renders templates from the manifest folder with config, stack and outputs, at the given mode', async () => {
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(
      path.join(dir, 'templates/ci.env.hbs'),
      'REGION={{shell stack.region}}\nSTACK={{stack.name}}\nQUEUE={{shell config.METAFLOW_BATCH_JOB_QUEUE}}\nKEY_ID={{outputs.MetadataApiKeyId}}\nSECRET={{#if config.METAFLOW_SERVICE_AUTH_KEY}}leaked{{else}}not-here{{/if}}\n',
    );
    const r = await run("outputs: { files: [{ template: templates/ci.env.hbs, path: out/ci.env, mode: '0640' }] }");
    const out = path.join(dir, 'out/ci.env');
    expect(readFileSync(out, 'utf8')).toBe(`REGION='us-west-2'
STACK=metaflow-prod
QUEUE='arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default'
KEY_ID=k1a2b3c4d5
SECRET=not-here
`);
    expect(statSync(out).mode & 0o777).toBe(0o640);
    expect(r.files[1]).toMatchObject({
      kind: 'template',
      path: out,
      template: path.join(dir, 'templates/ci.env.hbs'),
      status: 'created',
      written: true,
    });
  });

  it('fails on a template error before writing any file', async () => {
    writeFileSync(path.join(dir, 'bad.hbs'), 'ok\n{{config.METAFLOW_NOT_A_KEY}}\n');
    const err = await failure(run('outputs: { envFile: a.env, files: [{ template: bad.hbs, path: b.txt }] }'));
    expect(err.code).toBe('OUTPUT_TEMPLATE_INVALID');
    expect(err.message).toBe(`template ${path.join(dir, 'bad.hbs')}:2:3: "METAFLOW_NOT_A_KEY" not defined`);
    expect(existsSync(home)).toBe(false);
    expect(existsSync(path.join(dir, 'a.env'))).toBe(false);
  });

  it('names a template that cannot be read (when the manifest is loaded, at its position)', async () => {
    const err = await failure(run('outputs: { files: [{ template: missing.hbs, path: b.txt }] }'));
    expect(err.message).toBe('template missing.hbs cannot be read: it does not exist');
    expect(err.loc).toMatchObject({ line: 4, column: 32 });
    expect(err.exitCode).toBe(3);
  });
});
