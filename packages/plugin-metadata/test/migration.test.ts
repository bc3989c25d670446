/**
 * The migration functions' inline code, run as code: the probe against a fake migration service on
 * loopback (real HTTP), the runner with fake Lambda/RDS/ECS clients (the Lambda fake runs the real
 * probe code) and a fake CloudFormation response URL. Then the template side: 8082 has exactly one
 * source, and the custom resource runs after the service, again only when the image changes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import vm from 'node:vm';
import { compileManifest } from '@mfinfra/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { metadataPlugin } from '../src/index.js';
import { PROBE_CODE, RUNNER_CODE } from '../src/migrationCode.js';
import { manifest, plugins as fakes } from './fakes.js';

type Handler = (event: unknown) => Promise<unknown>;

/** Load inline function code the way Lambda's Node.js runtime does (CommonJS index.js). */
function load(code: string, env: Record<string, string>, modules: Record<string, unknown> = {}): Handler {
  const module = { exports: {} as { handler?: Handler } };
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`unexpected require(${name})`);
    return modules[name];
  };
  const logs: unknown[] = [];
  vm.runInNewContext(code, {
    module,
    exports: module.exports,
    require,
    process: { env },
    Buffer,
    fetch,
    AbortSignal,
    setTimeout,
    JSON,
    console: { log: (...a: unknown[]) => logs.push(a) },
  });
  return module.exports.handler!;
}

// ---- the fake migration service and the fake CloudFormation response URL
interface ServiceState {
  status: { code: number; body: unknown }[];
  upgrade: { code: number; body: string };
  calls: string[];
  responses: Record<string, any>[];
}
let state: ServiceState;
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      state.calls.push(`${req.method} ${req.url}`);
      if (req.method === 'GET' && req.url === '/db_schema_status') {
        const next = state.status.length > 1 ? state.status.shift()! : state.status[0]!;
        res.writeHead(next.code).end(typeof next.body === 'string' ? next.body : JSON.stringify(next.body));
      } else if (req.method === 'PATCH' && req.url === '/upgrade') {
        res.writeHead(state.upgrade.code).end(state.upgrade.body);
      } else if (req.method === 'PUT' && req.url === '/cfn-response') {
        state.responses.push(JSON.parse(body));
        res.writeHead(200).end();
      } else res.writeHead(404).end('not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const schema = (version: string, upToDate: boolean, unapplied: string[] = []) => ({
  code: 200,
  body: {
    is_up_to_date: upToDate,
    current_version: version,
    migration_in_progress: false,
    db_schema_versions: [],
    unapplied_migrations: unapplied,
  },
});

beforeEach(() => {
  state = { status: [schema('20240509201906', true)], upgrade: { code: 200, body: 'upgrade success' }, calls: [], responses: [] };
});

// ---- fake AWS clients, recording what the runner asks
interface Aws {
  calls: string[];
  snapshotStatuses: string[];
  instance: { BackupRetentionPeriod: number; LatestRestorableTime?: Date };
}
function fakeAws(aws: Aws, probe: Handler) {
  const command = (name: string) =>
    class {
      constructor(public input: Record<string, any>) {}
      name = name;
    };
  const client = (handle: (cmd: { name: string; input: Record<string, any> }) => Promise<unknown>) =>
    class {
      send(cmd: { name: string; input: Record<string, any> }) {
        aws.calls.push(`${cmd.name} ${JSON.stringify(cmd.input)}`);
        return handle(cmd);
      }
    };
  return {
    '@aws-sdk/client-lambda': {
      InvokeCommand: command('Invoke'),
      LambdaClient: client(async (cmd) => ({ Payload: Buffer.from(JSON.stringify(await probe(JSON.parse(cmd.input.Payload)))) })),
    },
    '@aws-sdk/client-rds': {
      CreateDBSnapshotCommand: command('CreateDBSnapshot'),
      DescribeDBSnapshotsCommand: command('DescribeDBSnapshots'),
      DescribeDBInstancesCommand: command('DescribeDBInstances'),
      RDSClient: client(async (cmd) => {
        if (cmd.name === 'CreateDBSnapshot') return {};
        if (cmd.name === 'DescribeDBSnapshots') return { DBSnapshots: [{ Status: aws.snapshotStatuses.shift() ?? 'available' }] };
        return { DBInstances: [aws.instance] };
      }),
    },
    '@aws-sdk/client-ecs': { UpdateServiceCommand: command('UpdateService'), ECSClient: client(async () => ({})) },
  };
}

async function runMigration(opts: { backup?: string; requestType?: string; snapshots?: string[]; instance?: Aws['instance'] } = {}) {
  const probe = load(PROBE_CODE, { MIGRATION_URL: base });
  const aws: Aws = {
    calls: [],
    snapshotStatuses: opts.snapshots ?? ['creating', 'available'],
    instance: opts.instance ?? { BackupRetentionPeriod: 7, LatestRestorableTime: new Date('2026-12-01T20:00:00Z') },
  };
  const runner = load(
    RUNNER_CODE,
    {
      PROBE_FUNCTION: 'probe',
      DB_INSTANCE: 'mf-db',
      BACKUP: opts.backup ?? 'snapshot',
      CLUSTER: 'mf-cluster',
      SERVICE: 'mf-service',
      SNAPSHOT_WAIT_SECONDS: '60',
      POLL_MS: '1',
    },
    fakeAws(aws, probe),
  );
  await runner({
    RequestType: opts.requestType ?? 'Update',
    ResponseURL: `${base}/cfn-response`,
    StackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/mf/1',
    RequestId: 'r-1',
    LogicalResourceId: 'MetadataSchemaMigration',
  });
  expect(state.responses).toHaveLength(1);
  return { response: state.responses[0]!, aws: aws.calls.map((c) => c.split(' ')[0]), awsCalls: aws.calls, service: state.calls };
}

describe('the probe', () => {
  it('GETs /db_schema_status and PATCHes /upgrade, answering the status code and body', async () => {
    const probe = load(PROBE_CODE, { MIGRATION_URL: base });
    expect(await probe({ action: 'status' })).toEqual({ status: 200, body: JSON.stringify(schema('20240509201906', true).body) });
    state.upgrade = { code: 500, body: 'upgrade failed' };
    expect(await probe({ action: 'upgrade' })).toEqual({ status: 500, body: 'upgrade failed' });
    expect(state.calls).toEqual(['GET /db_schema_status', 'PATCH /upgrade']);
  });
});

describe('the runner', () => {
  it('does nothing but report when the schema is up to date', async () => {
    const { response, aws, service } = await runMigration();
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'metadata-schema',
      RequestId: 'r-1',
      LogicalResourceId: 'MetadataSchemaMigration',
      Data: { Before: '20240509201906', After: '20240509201906', Upgraded: 'false' },
    });
    expect(aws).toEqual(['Invoke']);
    expect(service).toEqual(['GET /db_schema_status', 'PUT /cfn-response']);
  });

  it('snapshots, waits for the snapshot, upgrades, checks again and restarts the service', async () => {
    state.status = [schema('20230118020300', false, ['20240509201906']), schema('20240509201906', true)];
    const { response, aws, awsCalls, service } = await runMigration();
    expect(aws).toEqual(['Invoke', 'CreateDBSnapshot', 'DescribeDBSnapshots', 'DescribeDBSnapshots', 'Invoke', 'Invoke', 'UpdateService']);
    expect(awsCalls[1]).toMatch(/"DBInstanceIdentifier":"mf-db","DBSnapshotIdentifier":"mf-db-pre-migration-\d{14}"/);
    expect(awsCalls[6]).toBe('UpdateService {"cluster":"mf-cluster","service":"mf-service","forceNewDeployment":true}');
    expect(service).toEqual(['GET /db_schema_status', 'PATCH /upgrade', 'GET /db_schema_status', 'PUT /cfn-response']);
    expect(response.Status).toBe('SUCCESS');
    expect(response.Data).toMatchObject({ Before: '20230118020300', After: '20240509201906', Upgraded: 'true' });
    expect(response.Reason).toMatch(/^schema 20230118020300 -> 20240509201906 \(snapshot mf-db-pre-migration-\d{14}\)$/);
  });

  it("fails the deployment with the service's answer when the upgrade fails, and does not restart", async () => {
    state.status = [schema('20230118020300', false, ['20240509201906'])];
    state.upgrade = { code: 500, body: 'upgrade failed' };
    const { response, aws } = await runMigration();
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(
      /^metadata database migration: upgrade from schema 20230118020300 failed: HTTP 500: upgrade failed \(backup: snapshot mf-db-pre-migration-\d{14}\)$/,
    );
    expect(aws).not.toContain('UpdateService');
  });

  it('fails when the schema is still behind after the upgrade', async () => {
    state.status = [schema('1', false, ['2', '3']), schema('2', false, ['3'])];
    const { response } = await runMigration();
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('schema is 2 after the upgrade, missing ["3"]');
  });

  it('never upgrades when the snapshot fails', async () => {
    state.status = [schema('1', false, ['2'])];
    const { response, service } = await runMigration({ snapshots: ['creating', 'failed'] });
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/snapshot mf-db-pre-migration-\d{14} failed; not upgrading/);
    expect(service).not.toContain('PATCH /upgrade');
  });

  it('with automated-backups, upgrades only when backups are on and restorable', async () => {
    state.status = [schema('1', false, ['2']), schema('2', true)];
    const on = await runMigration({ backup: 'automated-backups' });
    expect(on.response.Status).toBe('SUCCESS');
    expect(on.aws).toEqual(['Invoke', 'DescribeDBInstances', 'Invoke', 'Invoke', 'UpdateService']);
    expect(on.response.Data.Backup).toBe('automated backups to 2026-12-01T20:00:00.000Z');

    state = { status: [schema('1', false, ['2'])], upgrade: { code: 200, body: 'upgrade success' }, calls: [], responses: [] };
    const off = await runMigration({ backup: 'automated-backups', instance: { BackupRetentionPeriod: 0 } });
    expect(off.response.Status).toBe('FAILED');
    expect(off.response.Reason).toContain('automated backups of mf-db are off or not restorable yet; not upgrading');
    expect(off.service).not.toContain('PATCH /upgrade');
  });

  it("fails with the status endpoint's answer when it cannot read the schema", async () => {
    state.status = [{ code: 500, body: '{"detail": "OperationalError(\'connection refused\')"}' }];
    const { response } = await runMigration();
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(
      'metadata database migration: db_schema_status before upgrading answered HTTP 500: {"detail": "OperationalError(\'connection refused\')"}',
    );
  });

  it('refuses to start while another migration is in progress', async () => {
    state.status = [{ code: 200, body: { ...schema('1', false, ['2']).body, migration_in_progress: true } }];
    const { response, service } = await runMigration();
    expect(response.Reason).toBe('metadata database migration: a migration is already in progress (schema 1)');
    expect(service).not.toContain('PATCH /upgrade');
  });

  it('answers Delete at once without touching the service or the database', async () => {
    const { response, aws, service } = await runMigration({ requestType: 'Delete' });
    expect(response.Status).toBe('SUCCESS');
    expect(aws).toEqual([]);
    expect(service).toEqual(['PUT /cfn-response']);
  });

  it('fits CloudFormation inline code (under 4096 characters each)', () => {
    expect(PROBE_CODE.length).toBeLessThan(4096);
    expect(RUNNER_CODE.length).toBeLessThan(4096);
  });
});

// ---- the template side
const plugins = { ...fakes, metadata: metadataPlugin };
type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }> };

/** Every ingress rule that opens 8082: [group it opens, source]. */
function port8082Sources(template: Template): [unknown, unknown][] {
  const out: [unknown, unknown][] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const rules: Record<string, any>[] =
      r.Type === 'AWS::EC2::SecurityGroup'
        ? ((r.Properties.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? []).map((x) => ({
            ...x,
            GroupId: { 'Fn::GetAtt': [id, 'GroupId'] },
          }))
        : r.Type === 'AWS::EC2::SecurityGroupIngress'
          ? [r.Properties]
          : [];
    for (const rule of rules) {
      const from = Number(rule.FromPort ?? -1);
      const to = Number(rule.ToPort ?? -1);
      if (rule.IpProtocol === '-1' || (from <= 8082 && 8082 <= to))
        out.push([rule.GroupId, rule.SourceSecurityGroupId ?? rule.CidrIp ?? rule.CidrIpv6]);
    }
  }
  return out;
}

describe('in the template', () => {
  it('8082 has exactly one source: the migration function (and behind the load balancer, only the load balancer)', async () => {
    for (const metadata of ['metadata: { allowedCidrs: [10.99.0.0/16] }', 'metadata: { access: api-gateway }']) {
      const template = JSON.parse((await compileManifest(manifest(metadata, { batch: true }), { plugins })).body) as Template;
      expect(port8082Sources(template)).toEqual([
        [
          { 'Fn::GetAtt': ['MetadataLoadBalancerSecurityGroup', 'GroupId'] },
          { 'Fn::GetAtt': ['MetadataMigrationSecurityGroup', 'GroupId'] },
        ],
        [{ 'Fn::GetAtt': ['MetadataServiceSecurityGroup', 'GroupId'] }, { 'Fn::GetAtt': ['MetadataLoadBalancerSecurityGroup', 'GroupId'] }],
      ]);
      // No API route reaches the migration service either.
      expect(JSON.stringify(template.Resources)).not.toMatch(/:8082\/db_schema_status/);
    }
  });

  it('runs the migration after the service, again whenever the image changes', async () => {
    const compile = async (image: string) =>
      JSON.parse((await compileManifest(manifest(`metadata: { image: "${image}" }`), { plugins })).body) as Template;
    const a = await compile('netflixoss/metaflow_metadata_service:v2.4.12');
    const b = await compile('netflixoss/metaflow_metadata_service:v2.4.13');
    const cr = a.Resources.MetadataSchemaMigration!;
    expect(cr.Type).toBe('Custom::MetadataSchemaMigration');
    expect(cr.DependsOn).toContain('MetadataService');
    expect(cr.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': ['MetadataMigrationRunner', 'Arn'] },
      Image: 'netflixoss/metaflow_metadata_service:v2.4.12',
      Backup: 'snapshot',
    });
    expect(b.Resources.MetadataSchemaMigration!.Properties.Image).toBe('netflixoss/metaflow_metadata_service:v2.4.13');
    expect(a.Resources.MetadataMigrationProbe!.Properties.VpcConfig.SecurityGroupIds).toEqual([
      { 'Fn::GetAtt': ['MetadataMigrationSecurityGroup', 'GroupId'] },
    ]);
    expect(a.Resources.MetadataMigrationRunner!.Properties.VpcConfig).toBeUndefined();
  });

  it('lets the runner snapshot only this database, invoke only the probe and restart only the service', async () => {
    const template = JSON.parse((await compileManifest(manifest('metadata: {}'), { plugins })).body) as Template;
    const statements = template.Resources.MetadataMigrationRunnerRole!.Properties.Policies[0].PolicyDocument.Statement;
    expect(statements.map((s: { Sid: string; Action: unknown }) => [s.Sid, s.Action])).toEqual([
      ['AskTheProbe', 'lambda:InvokeFunction'],
      ['CheckBackups', 'rds:DescribeDBInstances'],
      ['SnapshotBeforeUpgrade', ['rds:AddTagsToResource', 'rds:CreateDBSnapshot']],
      ['WaitForSnapshot', 'rds:DescribeDBSnapshots'],
      ['RestartServiceOnNewSchema', 'ecs:UpdateService'],
      ['WriteFunctionLogs', ['logs:CreateLogStream', 'logs:PutLogEvents']],
    ]);
    expect(JSON.stringify(statements)).not.toContain('"Resource":"*"');
  });
});
