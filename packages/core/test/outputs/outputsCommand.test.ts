import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';
import { API_KEY_VALUE, recordedOutputs } from './plugins.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cfn = mockClient(CloudFormationClient);
const apigw = mockClient(APIGatewayClient);
const saved = { ...process.env };
let dir: string;
let home: string;

function stack(status: StackStatus = 'UPDATE_COMPLETE', outputs = recordedOutputs): Partial<DescribeStacksCommandOutput> {
  return {
    Stacks: [
      {
        StackName: 'metaflow-prod',
        StackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/metaflow-prod/1',
        StackStatus: status,
        CreationTime: new Date('2026-11-01T00:00:00Z'),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-outputs-cli-'));
  home = path.join(dir, 'mfhome');
  for (const name of ['store', 'service', 'queue']) {
    writeFileSync(path.join(dir, `${name}.ts`), `export { ${name} as default } from ${JSON.stringify(path.join(here, 'plugins.ts'))};\n`);
  }
  writeFileSync(
    path.join(dir, 'metaflow.infra.yaml'),
    'version: 1\nstack: { name: metaflow-prod, region: us-west-2 }\nplugins: [./store.ts, ./service.ts, ./queue.ts]\noutputs: { envFile: .metaflow.env }\n',
  );
  process.env.METAFLOW_HOME = home;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  cfn.reset();
  apigw.reset();
  cfn.on(DescribeStacksCommand, { StackName: 'metaflow-prod' }).resolves(stack());
  apigw.on(GetApiKeyCommand, { apiKey: 'k1a2b3c4d5', includeValue: true }).resolves({ id: 'k1a2b3c4d5', value: API_KEY_VALUE });
});

afterEach(() => {
  process.env = { ...saved };
  cfn.reset();
  apigw.reset();
});

describe('mfinfra outputs', () => {
  it('reads the deployed stack and writes the Metaflow config and env file', async () => {
    const r = await runCli(['outputs', dir]);
    expect(r.stderr).not.toContain(API_KEY_VALUE);
    expect(r.code).toBe(0);
    const config = path.join(home, 'config.json');
    expect(JSON.parse(readFileSync(config, 'utf8')).METAFLOW_SERVICE_AUTH_KEY).toBe(API_KEY_VALUE);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, '.metaflow.env'), 'utf8')).toContain("export AWS_DEFAULT_REGION='us-west-2'\n");
    expect(r.stderr).toContain(`✓ created ${config} (0600)`);
    expect(r.stderr).toContain('note: Metaflow does not read AWS_DEFAULT_REGION from its config file');
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(apigw.commandCalls(GetApiKeyCommand)[0]!.args[0].input).toEqual({ apiKey: 'k1a2b3c4d5', includeValue: true });
  });

  it('--print shows the files with the key redacted and writes nothing', async () => {
    const r = await runCli(['outputs', dir, '--print']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"METAFLOW_SERVICE_AUTH_KEY": "<redacted>"');
    expect(r.stdout).toContain("export METAFLOW_DEFAULT_DATASTORE='s3'");
    expect(r.stdout + r.stderr).not.toContain(API_KEY_VALUE);
    expect(r.stderr).toContain('(metaflow-config, 0600, would be created)');
    expect(existsSync(home)).toBe(false);
    expect(existsSync(path.join(dir, '.metaflow.env'))).toBe(false);
  });

  it('--json dumps the values (key redacted) and the files written', async () => {
    const r = await runCli(['outputs', dir, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, stackName: 'metaflow-prod', region: 'us-west-2', secretKeys: ['METAFLOW_SERVICE_AUTH_KEY'] });
    expect(doc.values).toEqual({
      METAFLOW_BATCH_JOB_QUEUE: 'arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default',
      METAFLOW_DATASTORE_SYSROOT_S3: 's3://metaflow-prod-bucket-1x2y3z/metaflow',
      METAFLOW_DATATOOLS_S3ROOT: 's3://metaflow-prod-bucket-1x2y3z/data',
      METAFLOW_DEFAULT_DATASTORE: 's3',
      METAFLOW_DEFAULT_METADATA: 'service',
      METAFLOW_ECS_S3_ACCESS_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-prod-batch-job',
      METAFLOW_SERVICE_AUTH_KEY: '<redacted>',
      METAFLOW_SERVICE_INTERNAL_URL: 'https://abc123defg.execute-api.us-west-2.amazonaws.com/api/',
      METAFLOW_SERVICE_URL: 'https://abc123defg.execute-api.us-west-2.amazonaws.com/api/',
    });
    expect(doc.files.map((f: { kind: string; status: string; written: boolean }) => [f.kind, f.status, f.written])).toEqual([
      ['metaflow-config', 'created', true],
      ['env-file', 'created', true],
    ]);
    expect(r.stdout).not.toContain(API_KEY_VALUE);
  });

  it('refuses to overwrite a hand-edited key without --force, and exits 1', async () => {
    await runCli(['outputs', dir]);
    const config = path.join(home, 'config.json');
    const edited = readFileSync(config, 'utf8').replace('"METAFLOW_DEFAULT_METADATA": "service"', '"METAFLOW_DEFAULT_METADATA": "local"');
    writeFileSync(config, edited);
    const r = await runCli(['outputs', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('METAFLOW_DEFAULT_METADATA: file has local, deployment has service');
    expect(r.stderr).toContain('--force');
    expect(readFileSync(config, 'utf8')).toBe(edited);
    const forced = await runCli(['outputs', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('-    "METAFLOW_DEFAULT_METADATA": "local",\n+    "METAFLOW_DEFAULT_METADATA": "service",');
    expect(forced.stderr).toContain(`previous version in ${config}.bak`);
    expect(forced.stderr).not.toContain(API_KEY_VALUE);
  });

  it('says when the stack is not deployed', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id metaflow-prod does not exist'), { name: 'ValidationError' }));
    const r = await runCli(['outputs', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stack metaflow-prod is not deployed in us-west-2');
    expect(r.stderr).toContain('mfinfra apply');
  });

  it('says when the stack failed to create', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('ROLLBACK_COMPLETE', {}));
    const r = await runCli(['outputs', dir, '--region', 'us-west-2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stack metaflow-prod in us-west-2 failed to create (ROLLBACK_COMPLETE) and has no outputs');
  });

  it('names the config key whose stack output is missing (an older deployment)', async () => {
    const { MetaflowEcsS3AccessIamRole: _, ...older } = recordedOutputs;
    cfn.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE', older));
    const r = await runCli(['outputs', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'stack metaflow-prod has no output for METAFLOW_ECS_S3_ACCESS_IAM_ROLE (stack output MetaflowEcsS3AccessIamRole, from test:queue)',
    );
    expect(existsSync(home)).toBe(false);
  });
});
