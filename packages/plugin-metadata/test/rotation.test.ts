/**
 * The database password rotation: the inline function run as code (the way Lambda's Node.js runtime
 * loads it) against fake Secrets Manager, RDS and ECS clients that keep state the way the services
 * do, through Secrets Manager's four steps; then the template side (schedule, permission, what is
 * left unchanged on the database and the secret).
 */
import vm from 'node:vm';
import { compileManifest } from '@mfinfra/core/testing';
import { describe, expect, it } from 'vitest';
import { metadataPlugin } from '../src/index.js';
import { ROTATION_CODE } from '../src/rotationCode.js';
import { manifest, plugins as fakes } from './fakes.js';

type Handler = (event: unknown) => Promise<{ step: string; result: string }>;
type Input = Record<string, any>;

const SECRET = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MetadataDatabaseSecret-AbCdEf';

interface World {
  calls: string[];
  versions: Record<string, { stages: string[]; value: string; created: Date }>;
  db: { status: string; password: string; pendingPassword?: string };
  events: { Message: string; Date: Date }[];
  services: { name: string; secrets: string[] }[];
  /** How many DescribeDBInstances calls still show the change as pending. */
  pendingPolls: number;
}

function world(): World {
  return {
    calls: [],
    versions: {
      v1: {
        stages: ['AWSCURRENT'],
        value: JSON.stringify({ username: 'metaflow', password: 'old', host: 'db.local', port: 5432 }),
        created: new Date(0),
      },
    },
    db: { status: 'available', password: 'old' },
    events: [],
    services: [
      { name: 'metadata', secrets: [`${SECRET}:password::`] },
      { name: 'ui-backend', secrets: [`${SECRET}:password::`] },
      { name: 'ui-static', secrets: [] },
    ],
    pendingPolls: 2,
  };
}

function fakeSdk(w: World) {
  const command = (name: string) =>
    class {
      constructor(public input: Input) {}
      name = name;
    };
  const client = (handle: (name: string, input: Input) => unknown) =>
    class {
      async send(cmd: { name: string; input: Input }) {
        w.calls.push(cmd.name);
        return handle(cmd.name, cmd.input);
      }
    };
  const notFound = () => Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
  const sm = (name: string, i: Input) => {
    switch (name) {
      case 'DescribeSecret':
        return {
          ARN: SECRET,
          RotationEnabled: true,
          VersionIdsToStages: Object.fromEntries(Object.entries(w.versions).map(([k, v]) => [k, v.stages])),
        };
      case 'GetSecretValue': {
        const entry = i.VersionId ? w.versions[i.VersionId] : Object.values(w.versions).find((v) => v.stages.includes(i.VersionStage));
        if (!entry || !entry.value || (i.VersionStage && !entry.stages.includes(i.VersionStage))) throw notFound();
        return { SecretString: entry.value, CreatedDate: entry.created };
      }
      case 'GetRandomPassword':
        expect(i).toEqual({ PasswordLength: 32, ExcludePunctuation: true, RequireEachIncludedType: true });
        return { RandomPassword: 'NewPassw0rd' };
      case 'PutSecretValue':
        w.versions[i.ClientRequestToken] = { stages: i.VersionStages, value: i.SecretString, created: new Date() };
        return {};
      case 'UpdateSecretVersionStage':
        w.versions[i.RemoveFromVersionId]!.stages = w.versions[i.RemoveFromVersionId]!.stages.filter((s) => s !== i.VersionStage);
        w.versions[i.MoveToVersionId]!.stages = [
          i.VersionStage,
          ...w.versions[i.MoveToVersionId]!.stages.filter((s) => s !== 'AWSPENDING'),
        ];
        return {};
    }
    throw new Error(`unexpected ${name}`);
  };
  const rds = (name: string, i: Input) => {
    expect(i.DBInstanceIdentifier ?? i.SourceIdentifier).toBe('mf-db');
    switch (name) {
      case 'ModifyDBInstance':
        expect(i.ApplyImmediately).toBe(true);
        w.db.pendingPassword = i.MasterUserPassword;
        w.db.status = 'resetting-master-credentials';
        return {};
      case 'DescribeDBInstances':
        if (w.db.pendingPassword !== undefined && w.pendingPolls-- <= 0) {
          w.db.password = w.db.pendingPassword;
          delete w.db.pendingPassword;
          w.db.status = 'available';
          w.events.push({ Message: 'Reset master credentials', Date: new Date() });
        }
        return {
          DBInstances: [
            { DBInstanceStatus: w.db.status, PendingModifiedValues: w.db.pendingPassword ? { MasterUserPassword: '****' } : {} },
          ],
        };
      case 'DescribeEvents':
        return { Events: w.events.filter((e) => e.Date >= i.StartTime) };
    }
    throw new Error(`unexpected ${name}`);
  };
  const ecs = (name: string, i: Input) => {
    expect(i.cluster ?? 'mf-cluster').toBe('mf-cluster');
    switch (name) {
      case 'ListServices':
        return { serviceArns: w.services.map((s) => `arn:aws:ecs:us-west-2:123456789012:service/mf-cluster/${s.name}`) };
      case 'DescribeServices':
        return {
          services: (i.services as string[]).map((arn) => ({
            serviceArn: arn,
            serviceName: arn.split('/').pop(),
            taskDefinition: `td-${arn.split('/').pop()}`,
          })),
        };
      case 'DescribeTaskDefinition': {
        const s = w.services.find((x) => `td-${x.name}` === i.taskDefinition)!;
        return {
          taskDefinition: {
            containerDefinitions: [{ secrets: s.secrets.map((valueFrom) => ({ name: 'MF_METADATA_DB_PSWD', valueFrom })) }],
          },
        };
      }
      case 'UpdateService':
        expect(i.forceNewDeployment).toBe(true);
        w.calls.push(`redeploy ${String(i.service).split('/').pop()}`);
        return {};
    }
    throw new Error(`unexpected ${name}`);
  };
  const mod = (clientName: string, handle: (name: string, input: Input) => unknown, names: string[]) => ({
    [clientName]: client(handle),
    ...Object.fromEntries(names.map((n) => [`${n}Command`, command(n)])),
  });
  return {
    '@aws-sdk/client-secrets-manager': mod('SecretsManagerClient', sm, [
      'DescribeSecret',
      'GetSecretValue',
      'GetRandomPassword',
      'PutSecretValue',
      'UpdateSecretVersionStage',
    ]),
    '@aws-sdk/client-rds': mod('RDSClient', rds, ['ModifyDBInstance', 'DescribeDBInstances', 'DescribeEvents']),
    '@aws-sdk/client-ecs': mod('ECSClient', ecs, ['ListServices', 'DescribeServices', 'DescribeTaskDefinition', 'UpdateService']),
  };
}

function load(w: World, env: Record<string, string> = {}): Handler {
  const module = { exports: {} as { handler?: Handler } };
  const sdk = fakeSdk(w);
  vm.runInNewContext(ROTATION_CODE, {
    module,
    exports: module.exports,
    require: (name: string) => {
      if (!(name in sdk)) throw new Error(`unexpected require(${name})`);
      return sdk[name as keyof typeof sdk];
    },
    process: { env: { DB_INSTANCE: 'mf-db', CLUSTER: 'mf-cluster', WAIT_SECONDS: '5', POLL_MS: '1', ...env } },
    setTimeout,
    JSON,
    Date,
    Number,
    String,
    Object,
    Error,
    Promise,
    console: { log: () => {} },
  });
  return module.exports.handler!;
}

const step = (handler: Handler, Step: string, token = 'v2') => handler({ SecretId: SECRET, ClientRequestToken: token, Step });

/** What Secrets Manager does on RotateSecret: records the new version id as AWSPENDING (no value yet), then calls the steps. */
function announce(w: World, token = 'v2') {
  w.versions[token] = { stages: ['AWSPENDING'], value: '', created: new Date() };
}

describe('the rotation function', () => {
  it('sets a new password with RDS, waits until RDS applied it, makes it current and redeploys exactly the services that read the secret', async () => {
    const w = world();
    const handler = load(w);
    announce(w);
    const results: string[] = [];
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) results.push((await step(handler, s)).result);
    expect(results).toEqual(['created', 'requested', 'applied', 'redeployed metadata, ui-backend']);
    const current = JSON.parse(w.versions.v2!.value);
    expect(current).toEqual({ username: 'metaflow', password: 'NewPassw0rd', host: 'db.local', port: 5432 });
    expect(w.db.password).toBe('NewPassw0rd');
    expect(w.versions.v2!.stages).toEqual(['AWSCURRENT']);
    expect(w.versions.v1!.stages).toEqual([]);
    // The password is current only after RDS applied it, and the services restart only after that.
    const order = (name: string) => w.calls.indexOf(name);
    expect(order('ModifyDBInstance')).toBeLessThan(order('DescribeEvents'));
    expect(order('DescribeEvents')).toBeLessThan(order('UpdateSecretVersionStage'));
    expect(order('UpdateSecretVersionStage')).toBeLessThan(order('redeploy metadata'));
    expect(w.calls.filter((c) => c.startsWith('redeploy'))).toEqual(['redeploy metadata', 'redeploy ui-backend']);
  });

  it('is safe to retry: a second createSecret keeps the pending password, a retried finishSecret still redeploys', async () => {
    const w = world();
    const handler = load(w);
    announce(w);
    expect((await step(handler, 'createSecret')).result).toBe('created');
    expect((await step(handler, 'createSecret')).result).toBe('exists');
    expect(w.calls.filter((c) => c === 'GetRandomPassword')).toHaveLength(1);
    await step(handler, 'setSecret');
    await step(handler, 'testSecret');
    await step(handler, 'finishSecret');
    // The stage moved, but (say) the redeploy failed the first time: the retry redeploys again.
    expect((await step(handler, 'finishSecret')).result).toBe('redeployed metadata, ui-backend');
    expect(w.calls.filter((c) => c === 'UpdateSecretVersionStage')).toHaveLength(1);
    // The other steps of a version that is current already do nothing.
    expect((await step(handler, 'setSecret')).result).toBe('already current');
    expect(w.calls.filter((c) => c === 'ModifyDBInstance')).toHaveLength(1);
  });

  it('fails testSecret while RDS has not applied the password, so the old one stays current and nothing restarts', async () => {
    const w = world();
    w.pendingPolls = 1_000_000;
    const handler = load(w, { WAIT_SECONDS: '0' });
    announce(w);
    await step(handler, 'createSecret');
    await step(handler, 'setSecret');
    await expect(step(handler, 'testSecret')).rejects.toThrow('new password not applied yet: mf-db is resetting-master-credentials');
    expect(w.versions.v1!.stages).toEqual(['AWSCURRENT']);
    expect(w.calls.some((c) => c.startsWith('redeploy'))).toBe(false);
  });

  it('refuses a version that is not being rotated and an unknown step', async () => {
    const w = world();
    const handler = load(w);
    await expect(step(handler, 'createSecret', 'v9')).rejects.toThrow('not rotating v9');
    announce(w);
    await expect(step(handler, 'dropDatabase')).rejects.toThrow('unknown step dropDatabase');
    expect(w.calls).not.toContain('ModifyDBInstance');
  });

  it('fits CloudFormation inline code (under 4096 characters)', () => {
    expect(ROTATION_CODE.length).toBeLessThan(4096);
  });
});

// ---- the template side
const plugins = { ...fakes, metadata: metadataPlugin };
type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any>; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource> };
const compile = async (metadata: string) => JSON.parse((await compileManifest(manifest(metadata), { plugins })).body) as Template;

describe('in the template', () => {
  it('rotates every 30 days by default, never in the middle of a deploy, through a function only Secrets Manager may call for this secret', async () => {
    const t = await compile('metadata: {}');
    expect(t.Resources.MetadataDatabaseRotationSchedule!.Properties).toEqual({
      SecretId: { Ref: 'MetadataDatabaseSecret' },
      RotationLambdaARN: { 'Fn::GetAtt': ['MetadataDatabaseRotationFunction', 'Arn'] },
      RotationRules: { AutomaticallyAfterDays: 30 },
      RotateImmediatelyOnUpdate: false,
    });
    expect(t.Resources.MetadataDatabaseRotationSchedule!.DependsOn).toContain('MetadataDatabaseSecretAttachment');
    expect(t.Resources.MetadataDatabaseRotationPermission!.Properties).toMatchObject({
      Principal: 'secretsmanager.amazonaws.com',
      SourceArn: { Ref: 'MetadataDatabaseSecret' },
    });
    const fn = t.Resources.MetadataDatabaseRotationFunction!.Properties;
    expect(fn.VpcConfig).toBeUndefined();
    expect(fn.Environment.Variables).toMatchObject({ DB_INSTANCE: { Ref: 'MetadataDatabase' }, CLUSTER: { Ref: 'MetadataCluster' } });
    expect(t.Resources.MetadataDatabaseSecret!.Metadata).toBeUndefined();
  });

  it('turning rotation on or off changes neither the database nor the secret (only the secret says why it is not rotated)', async () => {
    const on = await compile('metadata: { database: { rotation: { days: 7 } } }');
    const off = await compile('metadata: { database: { rotation: { enabled: false } } }');
    expect(on.Resources.MetadataDatabaseRotationSchedule!.Properties.RotationRules).toEqual({ AutomaticallyAfterDays: 7 });
    expect(Object.keys(off.Resources).filter((id) => id.startsWith('MetadataDatabaseRotation'))).toEqual([]);
    expect(on.Resources.MetadataDatabase).toEqual(off.Resources.MetadataDatabase);
    expect(on.Resources.MetadataDatabaseSecret!.Properties).toEqual(off.Resources.MetadataDatabaseSecret!.Properties);
    expect(off.Resources.MetadataDatabaseSecret!.Metadata!.cdk_nag.rules_to_suppress.map((r: { id: string }) => r.id)).toEqual([
      'AwsSolutions-SMG4',
    ]);
  });
});
