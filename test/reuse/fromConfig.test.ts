/**
 * `mfinfra init --from-config`: the round trip (a config written by `mfinfra apply` → a manifest that
 * validates and whose config outputs equal the config's values) over the config every example's
 * apply writes (packages/core/test/outputs/__snapshots__/examples, written from simulated stack
 * Outputs by packages/core/test/outputs/examples.test.ts), and each bad input as one clear error
 * with nothing written, through the CLI.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../packages/core/src/index.js';
import { manifestFromConfig } from '../../packages/core/src/init/fromConfig.js';
import { runCli } from '../../packages/core/test/helpers/runCli.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const written = path.join(repo, 'packages/core/test/outputs/__snapshots__/examples');
const configs = readdirSync(written)
  .filter((f) => f.endsWith('.config.json'))
  .sort();

/** What a manifest never holds (the key itself), and what no existing: form sets (the UI, the notebook). */
const NOT_MAPPED: Record<string, string[]> = {
  'full-team.config.json': ['METAFLOW_SERVICE_AUTH_KEY', 'METAFLOW_UI_URL'],
  'ui.config.json': ['METAFLOW_UI_URL'],
};
const notMapped = (file: string, config: Record<string, string>) =>
  NOT_MAPPED[file] ?? (config.METAFLOW_SERVICE_AUTH_KEY !== undefined ? ['METAFLOW_SERVICE_AUTH_KEY'] : []);

describe('init --from-config: the round trip of the config apply writes', () => {
  it('finds the configs', () => expect(configs.length).toBeGreaterThanOrEqual(10));

  it.each(configs)('%s → a manifest that validates, with config outputs equal to the config', async (file) => {
    const config = JSON.parse(readFileSync(path.join(written, file), 'utf8')) as Record<string, string>;
    // No --region: the manifest takes the region the config's ARNs name.
    const result = manifestFromConfig(config, file, { stackName: 'reused' });
    expect(result.unmapped.map((u) => u.key)).toEqual(notMapped(file, config));
    const compiled = await compile({ text: result.text, cwd: path.join(repo, 'examples'), manifest: 'metaflow.infra.yaml' });
    const outputs = Object.fromEntries(compiled.configOutputs.map((c) => [c.key, c.literal]));
    const expected = Object.fromEntries(Object.entries(config).filter(([k]) => !notMapped(file, config).includes(k)));
    expect(outputs).toEqual(expected);
    // nothing is created but the placeholder (and the job role's table grant when batch is created: never here)
    expect(Object.keys(compiled.template.Resources)).toEqual(['MfinfraNoResourcesPlaceholder']);
  });
});

describe('init --from-config through the CLI', () => {
  function folder(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-from-config-'));
    symlinkSync(path.join(repo, 'examples', 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return dir;
  }

  it('reads $METAFLOW_HOME/config_<METAFLOW_PROFILE>.json by default, writes a manifest that validates, lists what it did not map', async () => {
    const dir = folder();
    const home = path.join(dir, 'home');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(home);
    writeFileSync(
      path.join(home, 'config_prod.json'),
      JSON.stringify({
        METAFLOW_DATASTORE_SYSROOT_S3: 's3://metaflow-s3/flows',
        METAFLOW_DEFAULT_DATASTORE: 's3',
        METAFLOW_BATCH_JOB_QUEUE: 'metaflow-queue',
        METAFLOW_ECS_S3_ACCESS_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-batch-role',
        METAFLOW_SERVICE_AUTH_KEY: 'never-copied-0123456789',
        METAFLOW_SFN_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-sfn',
        METAFLOW_CARD_S3ROOT: 's3://metaflow-s3/cards',
      }),
    );
    const saved = { ...process.env };
    Object.assign(process.env, { METAFLOW_HOME: home, METAFLOW_PROFILE: 'prod' });
    try {
      const r = await runCli(['init', dir, '--from-config', '--region', 'us-west-2', '--stack-name', 'mf']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('METAFLOW_SERVICE_AUTH_KEY: a manifest never holds the key itself');
      expect(r.stderr).toContain('METAFLOW_SFN_IAM_ROLE: no METAFLOW_SFN_DYNAMO_DB_TABLE beside the Step Functions role');
      expect(r.stderr).toContain('METAFLOW_CARD_S3ROOT: no mfinfra section sets it');
      const text = readFileSync(path.join(dir, 'metaflow.infra.yaml'), 'utf8');
      expect(text).not.toContain('never-copied');
      expect(text).toContain('plugins: [datastore, batch]');
      const v = await runCli(['validate', dir]);
      expect(v.code).toBe(0);
    } finally {
      process.env = saved;
    }
  });

  it.each([
    ['not JSON', '{"METAFLOW_DATASTORE_SYSROOT_S3": ', 'METAFLOW_CONFIG_INVALID', 'is not JSON'],
    ['no Metaflow keys', '{"AWS_REGION": "us-west-2"}', 'METAFLOW_CONFIG_INVALID', 'has no Metaflow keys (METAFLOW_*)'],
    ['a list', '["METAFLOW_DATASTORE_SYSROOT_S3"]', 'METAFLOW_CONFIG_INVALID', 'is not a JSON object of METAFLOW_* keys'],
    ['nothing to reuse', '{"METAFLOW_DEFAULT_DATASTORE": "local"}', 'METAFLOW_CONFIG_INVALID', 'names nothing mfinfra can reuse'],
  ])('%s: one clear error, exit 3, nothing written', async (_what, content, code, message) => {
    const dir = folder();
    const file = path.join(dir, 'config.json');
    writeFileSync(file, content);
    const r = await runCli(['init', dir, '--from-config', file, '--json']);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(out.error.code).toBe(code);
    expect(out.error.message).toContain(message);
    expect(existsSync(path.join(dir, 'metaflow.infra.yaml'))).toBe(false);
  });

  it('an unreadable or missing file: one clear error, exit 3, nothing written', async () => {
    const dir = folder();
    const r = await runCli(['init', dir, '--from-config', path.join(dir, 'no-such-config.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot read the Metaflow config');
    expect(r.stderr).toContain('ENOENT');
    expect(r.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
    expect(existsSync(path.join(dir, 'metaflow.infra.yaml'))).toBe(false);
  });

  it('never overwrites a manifest', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), '# mine\n');
    writeFileSync(path.join(dir, 'config.json'), '{"METAFLOW_DATASTORE_SYSROOT_S3": "s3://b/flows"}');
    const r = await runCli(['init', dir, '--from-config', path.join(dir, 'config.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not overwrite a manifest');
    expect(readFileSync(path.join(dir, 'metaflow.infra.yaml'), 'utf8')).toBe('# mine\n');
  });
});
