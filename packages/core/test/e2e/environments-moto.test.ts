/**
 * Environments through the CLI against a moto server (issue 18): `plan --all-envs` of a manifest with
 * two environments in two regions, each with its own AWS profile (a shared config file with static
 * keys, as a user's ~/.aws/config would hold), one of them pinned to moto's account. End state: one
 * change set per environment, in its own region, left for review; the worst exit code; the account
 * guard refusing one environment without stopping the other; per-environment local state after an
 * apply.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoAvailable, startMoto, type MotoServer } from '../../../../test/helpers/moto.js';
import * as sdk from '../helpers/cloudformationSdk.js';
import { runCli } from '../helpers/runCli.js';
import { examplesNodeModules } from '../helpers/tempProject.js';

const MOTO_ACCOUNT = '123456789012';

function manifest(prodAccount: string): string {
  return `version: 1
stack: { name: mf-envs, region: us-west-2, tags: { team: ml } }
plugins: [datastore]
datastore: { sysroot: metaflow }
environments:
  dev:
    stack: { name: mf-envs-dev, profile: mf-dev }
  prod:
    stack: { name: mf-envs-prod, region: us-east-1, profile: mf-prod, account: "${prodAccount}" }
    datastore: { bucket: { versioning: true } }
`;
}

describe.skipIf(!motoAvailable())('environments on moto', () => {
  let moto: MotoServer;
  let dir: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-envs-'));
    const { symlinkSync } = await import('node:fs');
    symlinkSync(examplesNodeModules, path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'aws-config'), '[profile mf-dev]\nregion = us-west-2\n\n[profile mf-prod]\nregion = us-east-1\n');
    writeFileSync(
      path.join(dir, 'aws-credentials'),
      '[mf-dev]\naws_access_key_id = devkey\naws_secret_access_key = devsecret\n\n[mf-prod]\naws_access_key_id = prodkey\naws_secret_access_key = prodsecret\n',
    );
    for (const k of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ]) {
      delete process.env[k];
    }
    Object.assign(process.env, {
      AWS_CONFIG_FILE: path.join(dir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'aws-credentials'),
      AWS_MAX_ATTEMPTS: '1',
      METAFLOW_HOME: path.join(dir, 'metaflow-home'),
    });
  }, 60_000);

  afterAll(async () => {
    process.env = savedEnv;
    await moto?.stop();
  });

  const cfn = (region: string) =>
    new sdk.CloudFormationClient({ region, endpoint: moto.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  async function stackStatus(region: string, name: string): Promise<string | undefined> {
    try {
      const { Stacks } = await cfn(region).send(new sdk.DescribeStacksCommand({ StackName: name }));
      return Stacks?.[0]?.StackStatus;
    } catch {
      return undefined;
    }
  }
  async function changeSets(region: string, name: string): Promise<string[]> {
    const { Summaries } = await cfn(region).send(new sdk.ListChangeSetsCommand({ StackName: name }));
    return (Summaries ?? []).map((s) => `${s.ChangeSetName}:${s.Status}`);
  }

  it('plan --all-envs: one change set per environment in its own region, one Markdown document in order, exit 0', async () => {
    await moto.reset();
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), manifest(MOTO_ACCOUNT));
    const r = await runCli(['plan', '--all-envs', dir, '--endpoint-url', moto.endpoint, '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    const dev = r.stdout.indexOf('## Environment `dev`');
    const prod = r.stdout.indexOf('## Environment `prod`');
    expect(r.stdout.startsWith('# mfinfra plan: 2 environments')).toBe(true);
    expect(dev).toBeGreaterThan(0);
    expect(prod).toBeGreaterThan(dev);
    expect(r.stdout.slice(dev, prod)).toContain('### mfinfra plan: `mf-envs-dev`');
    expect(r.stdout.slice(prod)).toContain('### mfinfra plan: `mf-envs-prod`');
    expect(r.stderr).toMatch(/deploy it: mfinfra apply --env prod --change-set mfinfra-mf-envs-prod-\d+/);
    expect(r.stderr).toContain('2 environments planned: dev exit 0, prod exit 0 → exit 0');
    // End state: each stack in its own region, a placeholder with one change set left for review.
    expect(await stackStatus('us-west-2', 'mf-envs-dev')).toBe('REVIEW_IN_PROGRESS');
    expect(await stackStatus('us-east-1', 'mf-envs-prod')).toBe('REVIEW_IN_PROGRESS');
    expect(await stackStatus('us-east-1', 'mf-envs-dev')).toBeUndefined();
    expect(await stackStatus('us-west-2', 'mf-envs-prod')).toBeUndefined();
    expect(await changeSets('us-west-2', 'mf-envs-dev')).toEqual([expect.stringMatching(/:CREATE_COMPLETE$/)]);
    expect(await changeSets('us-east-1', 'mf-envs-prod')).toEqual([expect.stringMatching(/:CREATE_COMPLETE$/)]);
  }, 120_000);

  it('--json --detailed-exitcode: every environment in order with its own result; exit 5', async () => {
    await moto.reset();
    const r = await runCli(['plan', '--all-envs', dir, '--endpoint-url', moto.endpoint, '--json', '--detailed-exitcode', '--discard']);
    expect(r.code, r.stderr).toBe(5);
    const out = JSON.parse(r.stdout);
    expect(out.exitCode).toBe(5);
    expect(out.environments.map((e: { environment: string; exitCode: number }) => [e.environment, e.exitCode])).toEqual([
      ['dev', 5],
      ['prod', 5],
    ]);
    expect(out.environments[0].result).toMatchObject({ stackName: 'mf-envs-dev', region: 'us-west-2', changeSetType: 'CREATE' });
    expect(out.environments[1].result).toMatchObject({ stackName: 'mf-envs-prod', region: 'us-east-1', changeSetType: 'CREATE' });
    // --discard: nothing is left behind in either region.
    expect(await stackStatus('us-west-2', 'mf-envs-dev')).toBeUndefined();
    expect(await stackStatus('us-east-1', 'mf-envs-prod')).toBeUndefined();
  }, 120_000);

  it('prod pinned to another account: refused before any call (exit 2, the worst), dev still planned', async () => {
    await moto.reset();
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), manifest('111111111111'));
    const r = await runCli(['plan', '--all-envs', dir, '--endpoint-url', moto.endpoint]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `profile mf-prod belongs to account ${MOTO_ACCOUNT}, but stack mf-envs-prod (environment prod) is pinned to account 111111111111`,
    );
    expect(r.stderr).toContain('dev exit 0, prod exit 2 → exit 2');
    expect(r.stdout.indexOf('━━ environment dev ━━')).toBeLessThan(r.stdout.indexOf('━━ environment prod ━━'));
    expect(await stackStatus('us-west-2', 'mf-envs-dev')).toBe('REVIEW_IN_PROGRESS');
    expect(await stackStatus('us-east-1', 'mf-envs-prod')).toBeUndefined();
  }, 120_000);

  it('apply --env dev keeps its local state in .mfinfra/state/dev/; plan without --env refuses', async () => {
    await moto.reset();
    writeFileSync(path.join(dir, 'metaflow.infra.yaml'), manifest(MOTO_ACCOUNT));
    const none = await runCli(['plan', dir, '--endpoint-url', moto.endpoint]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('declares environments dev, prod');
    const r = await runCli(['apply', dir, '--env', 'dev', '--yes', '--endpoint-url', moto.endpoint, '--json']);
    // moto returns no stack Outputs, so the config files are not written (test-peers.md); the stack is deployed.
    expect(await stackStatus('us-west-2', 'mf-envs-dev'), r.stdout + r.stderr).toBe('CREATE_COMPLETE');
    const state = path.join(dir, '.mfinfra', 'state', 'dev', 'mf-envs-dev.json');
    expect(existsSync(state)).toBe(true);
    expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ stackName: 'mf-envs-dev', environment: 'dev' });
    expect(existsSync(path.join(dir, '.mfinfra', 'state', 'mf-envs-dev.json'))).toBe(false);
    // The offline plan of dev compares with that state: nothing to change.
    const offline = await runCli(['plan', '--offline', dir, '--env', 'dev', '--json']);
    expect(JSON.parse(offline.stdout).preview.empty).toBe(true);
  }, 120_000);
});
