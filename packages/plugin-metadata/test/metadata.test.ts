import {
  actionsOnAnyResource,
  cfnLintAvailable,
  compileError,
  compileManifest,
  iamViolations,
  lintVariants,
  openIngress,
} from '@mfinfra/core/testing';
import { describe, expect, it } from 'vitest';
import { metadataPlugin } from '../src/index.js';
import { ROTATION_CODE } from '../src/rotationCode.js';
import { manifest, plugins as fakes } from './fakes.js';

const plugins = { ...fakes, metadata: metadataPlugin };

async function compile(metadata: string, opts: { network?: string; batch?: boolean } = {}) {
  const result = await compileManifest(manifest(metadata, opts), { plugins });
  return { result, template: JSON.parse(result.body) as Template };
}
type Template = {
  Resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }>;
  Outputs: Record<string, { Value: unknown; Description: string }>;
};

const variants: Record<string, [string, { network?: string; batch?: boolean }]> = {
  'internal, production, private network with batch': ['metadata: {}', { batch: true }],
  'api-gateway, development, existing VPC': [
    'metadata: { profile: development, access: api-gateway }',
    { network: '{ mode: existing, cidr: 10.40.0.0/16, securityGroupIds: [sg-0a1b2c3d4e5f60009] }' },
  ],
  'api-gateway with source allow-list, public subnets, ECR image': [
    [
      'metadata:',
      '  access: api-gateway',
      '  image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/metaflow/metadata:v2.4.12',
      '  cpu: 2048',
      '  memory: 8192',
      '  apiGateway: { endpointType: EDGE, allowedSourceCidrs: [203.0.113.0/24], throttle: { rateLimit: 20, burstLimit: 40 } }',
      '  database: { engineVersion: "16.10", instanceClass: db.m7g.large, multiAz: false, kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }',
      '  logs: { retentionDays: 365, retainOnDelete: false }',
    ].join('\n'),
    { network: '{ mode: create, private: false }' },
  ],
  'api-gateway with IAM authorization, created WAF, INFO logs, hardened container': [
    [
      'metadata:',
      '  access: api-gateway',
      '  apiGateway: { authorization: iam, waf: { rateLimitPer5Minutes: 500 }, logging: { executionLogLevel: INFO, retentionDays: 90 } }',
      '  container: { readOnlyRootFilesystem: true, user: "1000:1000" }',
    ].join('\n'),
    { batch: true },
  ],
  'internal, existing VPC without CIDR, allowedCidrs': [
    'metadata: { allowedCidrs: [10.50.0.0/16, 192.168.10.0/24] }',
    { network: '{ mode: existing, subnets: 3 }' },
  ],
};

it.skipIf(!cfnLintAvailable())('every variant passes cfn-lint with no errors and no warnings', async () => {
  const { findings, expected } = await lintVariants(variants, async ([metadata, opts]) => (await compile(metadata, opts)).result.body, {
    region: 'us-west-2',
  });
  expect(findings).toEqual(expected);
});

describe.each(Object.entries(variants))('%s', (_name, [metadata, opts]) => {
  it('compiles to the expected template', async () => {
    const { template } = await compile(metadata, opts);
    expect(template).toMatchSnapshot();
  });

  it('grants no wildcard IAM and opens nothing to the internet', async () => {
    const { template } = await compile(metadata, opts);
    expect(iamViolations(template)).toEqual([]);
    // Only ECR login (only when the image is in ECR), the migration probe's VPC network interfaces and
    // the rotation function's lookups, which AWS offers on "*" alone.
    const onAny = new Set([
      'ecr:GetAuthorizationToken',
      'secretsmanager:GetRandomPassword',
      'rds:DescribeEvents',
      'ecs:ListServices',
      'ecs:DescribeTaskDefinition',
      'ec2:AssignPrivateIpAddresses',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    expect(actionsOnAnyResource(template).filter((a) => !onAny.has(a))).toEqual([]);
    expect(openIngress(template)).toEqual([]);
  });

  it('keeps the database password out of the template and the API key value out of the outputs', async () => {
    const { result, template } = await compile(metadata, opts);
    const db = template.Resources.MetadataDatabase!.Properties;
    expect(db.MasterUserPassword).toEqual({ 'Fn::Sub': '{{resolve:secretsmanager:${MetadataDatabaseSecret}:SecretString:password}}' });
    const container = template.Resources.MetadataTaskDefinition!.Properties.ContainerDefinitions[0];
    expect(container.Environment.map((e: { Name: string }) => e.Name)).not.toContain('MF_METADATA_DB_PSWD');
    expect(container.Secrets).toEqual([{ Name: 'MF_METADATA_DB_PSWD', ValueFrom: { 'Fn::Sub': '${MetadataDatabaseSecret}:password::' } }]);
    // The password appears nowhere else: only the generator, the dynamic reference and the ECS secret mention it.
    const mentions = [
      ...new Set(
        result.body
          .split('\n')
          // Scanner exceptions' reasons are prose about the password, not the password; the rotation
          // function's code reads it from the secret at run time (test/rotation.test.ts).
          .filter((line) => /password/i.test(line) && !line.trim().startsWith('"reason":'))
          .filter((line) => line.trim() !== `"ZipFile": ${JSON.stringify(ROTATION_CODE)}`)
          .map((line) => line.trim()),
      ),
    ].sort();
    expect(mentions).toEqual([
      '"Action": "secretsmanager:GetRandomPassword",',
      '"Description": "Rotates the Metaflow metadata database master password and redeploys the services that read it",',
      '"Description": "Secrets Manager rotation of the Metaflow metadata database master password (RDS ModifyDBInstance), then an ECS redeploy",',
      '"Fn::Sub": "${MetadataDatabaseSecret}:password::"',
      '"Fn::Sub": "{{resolve:secretsmanager:${MetadataDatabaseSecret}:SecretString:password}}"',
      '"GenerateStringKey": "password",',
      '"MasterUserPassword": {',
      '"PasswordLength": 32,',
      '"Sid": "NewPassword",',
      '"Sid": "ReadDatabasePassword",',
      '"Sid": "SeePasswordApplied",',
      '"Sid": "SetMasterPassword",',
    ]);
    const outputs = JSON.stringify(template.Outputs);
    expect(outputs).not.toMatch(/resolve:|SecretString|MetadataDatabaseSecret.*password/);
    for (const output of Object.values(template.Outputs)) expect(JSON.stringify(output.Value)).not.toContain('MetadataApiKey"]');
  });
});

describe('outputs', () => {
  it('points METAFLOW_SERVICE_URL at the internal load balancer when access is internal', async () => {
    const { result } = await compile('metadata: {}');
    expect(result.configOutputs.map((c) => [c.key, c.value])).toEqual([
      ['METAFLOW_DEFAULT_METADATA', 'service'],
      ['METAFLOW_SERVICE_INTERNAL_URL', { 'Fn::Sub': 'http://${MetadataLoadBalancer.DNSName}/' }],
      ['METAFLOW_SERVICE_URL', { 'Fn::Sub': 'http://${MetadataLoadBalancer.DNSName}/' }],
    ]);
    expect(result.stackOutputs.map((s) => s.name)).toEqual(['MetadataDatabaseSecretArn', 'MetadataMigrationFunctionName']);
  });

  it('points METAFLOW_SERVICE_URL at API Gateway and outputs only the API key id', async () => {
    const { result, template } = await compile('metadata: { access: api-gateway }');
    expect(result.configOutputs.find((c) => c.key === 'METAFLOW_SERVICE_URL')?.value).toEqual({
      'Fn::Sub': 'https://${MetadataApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${MetadataApiStage}/',
    });
    expect(result.configOutputs.find((c) => c.key === 'METAFLOW_SERVICE_INTERNAL_URL')?.value).toEqual({
      'Fn::Sub': 'http://${MetadataLoadBalancer.DNSName}/',
    });
    expect(template.Outputs.MetadataApiKeyId?.Value).toEqual({ Ref: 'MetadataApiKey' });
    expect(result.configOutputs.map((c) => c.key)).not.toContain('METAFLOW_SERVICE_AUTH_KEY');
  });
});

describe('profiles', () => {
  const dbAndService = async (metadata: string) => {
    const { template } = await compile(metadata);
    const db = template.Resources.MetadataDatabase!.Properties;
    return {
      multiAz: db.MultiAZ,
      backups: db.BackupRetentionPeriod,
      tasks: template.Resources.MetadataService!.Properties.DesiredCount,
      protect: db.DeletionProtection,
    };
  };

  it('production (the default) is Multi-AZ with a week of backups and two tasks', async () => {
    expect(await dbAndService('metadata: {}')).toEqual({ multiAz: true, backups: 7, tasks: 2, protect: true });
  });

  it('development is single-AZ with one day of backups and one task, still deletion-protected', async () => {
    expect(await dbAndService('metadata: { profile: development }')).toEqual({ multiAz: false, backups: 1, tasks: 1, protect: true });
  });

  it('lets explicit settings win over the profile', async () => {
    expect(
      await dbAndService('metadata: { profile: development, desiredCount: 3, database: { multiAz: true, backupRetentionDays: 14 } }'),
    ).toEqual({
      multiAz: true,
      backups: 14,
      tasks: 3,
      protect: true,
    });
  });
});

describe('network use', () => {
  it('runs tasks without public IPs in private subnets and with them in public-only networks', async () => {
    const assign = async (network: string) =>
      (await compile('metadata: {}', { network })).template.Resources.MetadataService!.Properties.NetworkConfiguration.AwsvpcConfiguration
        .AssignPublicIp;
    expect(await assign('{ mode: create, private: true }')).toBe('DISABLED');
    expect(await assign('{ mode: create, private: false }')).toBe('ENABLED');
  });

  it('chains database ← service ← load balancer ← clients through security groups', async () => {
    const { template } = await compile('metadata: { allowedCidrs: [10.99.0.0/16] }', { batch: true });
    const r = template.Resources;
    expect(r.MetadataDatabaseIngressFromService!.Properties).toMatchObject({
      FromPort: 5432,
      ToPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': ['MetadataServiceSecurityGroup', 'GroupId'] },
    });
    expect(r.MetadataDatabaseSecurityGroup!.Properties.SecurityGroupIngress).toBeUndefined();
    for (const id of ['MetadataServiceIngressFromLoadBalancer', 'MetadataMigrationIngressFromLoadBalancer']) {
      expect(r[id]!.Properties.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': ['MetadataLoadBalancerSecurityGroup', 'GroupId'] });
    }
    expect(r.MetadataServiceSecurityGroup!.Properties.SecurityGroupIngress).toBeUndefined();
    const lbRules = r.MetadataLoadBalancerSecurityGroup!.Properties.SecurityGroupIngress.map((x: any) => [x.FromPort, x.CidrIp]);
    // 8082 (the migration service) is not open to any network: only to the migration function (migration.test.ts).
    expect(lbRules).toEqual([
      [80, { 'Fn::GetAtt': ['FakeVpc', 'CidrBlock'] }],
      [80, '10.99.0.0/16'],
    ]);
    expect(r.MetadataLoadBalancerMigrationIngressFromBatch).toBeUndefined();
    expect(r.MetadataLoadBalancerIngressFromBatch!.Properties.SourceSecurityGroupId).toEqual({
      'Fn::GetAtt': ['FakeBatchSecurityGroup', 'GroupId'],
    });
    expect(r.MetadataLoadBalancer!.Properties.Scheme).toBe('internal');
    expect(r.MetadataDatabase!.Properties.PubliclyAccessible).toBe(false);
  });

  it('redeploys the API when it changes, and only then', async () => {
    const deployment = async (metadata: string) =>
      Object.keys((await compile(metadata)).template.Resources).find((id) => id.startsWith('MetadataApiRelease'));
    const plain = await deployment('metadata: { access: api-gateway }');
    expect(plain).toMatch(/^MetadataApiRelease[0-9a-f]{10}$/);
    expect(await deployment('metadata: { access: api-gateway, apiGateway: { throttle: { rateLimit: 5 } } }')).toBe(plain);
    expect(await deployment('metadata: { access: api-gateway, apiGateway: { allowedSourceCidrs: [198.51.100.0/24] } }')).not.toBe(plain);
  });
});

describe('manifest mistakes', () => {
  const at = (e: { diagnostics: { message: string; loc?: { line: number; column: number } }[] }) =>
    e.diagnostics.map((d) => `${d.loc?.line}:${d.loc?.column} ${d.message}`);

  it('reports a memory size Fargate does not offer at its line and column, saying what would work', async () => {
    const e = await compileError(manifest('metadata:\n  cpu: 1024\n  memory: 1024'), { plugins });
    expect(at(e)).toEqual(['7:11 Fargate does not offer 1024 MiB of memory with cpu 1024']);
    expect(e.diagnostics[0]!.hint).toBe('with cpu 1024, memory must be 2048 to 8192 in steps of 1024 MiB');
  });

  it('reports an unknown access mode and storage that cannot autoscale, all in one run', async () => {
    const e = await compileError(manifest('metadata:\n  access: public'), { plugins });
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]!.loc).toMatchObject({ line: 6, column: 11 });
    expect(e.diagnostics[0]!.message).toMatch(/internal|api-gateway/);

    const e2 = await compileError(
      manifest('metadata:\n  memory: 100000\n  database: { allocatedStorage: 500, maxAllocatedStorage: 400 }'),
      { plugins },
    );
    expect(at(e2)).toEqual([
      '6:11 Fargate does not offer 100000 MiB of memory with cpu 1024',
      '7:59 maxAllocatedStorage (400 GiB) must be larger than allocatedStorage (500 GiB) for storage autoscaling',
    ]);
  });

  it('points at misspelled settings with a suggestion', async () => {
    const e = await compileError(manifest('metadata:\n  acess: internal\n  database: { multiAZ: true }'), { plugins });
    expect(e.diagnostics.map((d) => [d.loc?.line, d.loc?.column, d.message, d.hint])).toMatchInlineSnapshot(`
      [
        [
          6,
          3,
          "unknown key "acess" in metadata",
          "did you mean "access"?",
        ],
        [
          7,
          15,
          "unknown key "multiAZ" in metadata.database",
          "did you mean "multiAz"?",
        ],
      ]
    `);
  });

  it('refuses an internal-only service nobody can reach', async () => {
    const e = await compileError(manifest('metadata: {}', { network: '{ mode: existing }' }), { plugins });
    expect(e.message).toContain('nothing inside the network may reach the metadata load balancer');
    expect(e.plugin).toBe('mfinfra:metadata');
    expect(e.hint).toMatch(/allowedCidrs/);
  });

  it('refuses a network with a single subnet, pointing at the network section', async () => {
    const e = await compileError(manifest('metadata: {}', { network: '{ mode: existing, cidr: 10.0.0.0/16, subnets: 1 }' }), { plugins });
    expect(e.message).toBe('the metadata database needs subnets in at least two availability zones, but the network gives 1');
    expect(e.loc).toMatchObject({ line: 4, column: 10 });
  });

  it('rejects an API source allow-list without API Gateway', async () => {
    const e = await compileError(manifest('metadata:\n  apiGateway: { allowedSourceCidrs: [198.51.100.0/24] }'), { plugins });
    expect(at(e)).toEqual(['6:37 apiGateway.allowedSourceCidrs has no effect unless access is api-gateway']);
  });

  it('reports CIDRs with host bits set, saying which network was meant', async () => {
    const e = await compileError(
      manifest('metadata:\n  access: api-gateway\n  allowedCidrs: [10.1.2.3/16]\n  apiGateway: { allowedSourceCidrs: [203.0.113.7/24] }'),
      { plugins },
    );
    expect(e.diagnostics.map((d) => [d.loc?.line, d.loc?.column, d.message, d.hint])).toEqual([
      [7, 18, '10.1.2.3/16 is not a network address: its host bits are set', 'write 10.1.0.0/16'],
      [8, 38, '203.0.113.7/24 is not a network address: its host bits are set', 'write 203.0.113.0/24'],
    ]);
  });

  it('warns when only API Gateway can reach the service', async () => {
    const { result } = await compile('metadata: { access: api-gateway }', { network: '{ mode: existing }' });
    expect(result.warnings.map((w) => w.message)).toEqual([
      'nothing inside the network may reach the metadata load balancer: the network does not say its CIDR and allowedCidrs is empty; only API Gateway will reach it',
    ]);
  });

  it('warns, without failing, when allowedCidrs opens the load balancer to everything', async () => {
    const { result } = await compile('metadata: { allowedCidrs: [0.0.0.0/0] }');
    expect(result.warnings.map((w) => w.message)).toEqual([
      'allowedCidrs opens the metadata load balancer to every address that can route to it (0.0.0.0/0)',
    ]);
  });

  it('says the network is missing when it is not loaded and the service is created (an existing service needs none)', async () => {
    const e = await compileError('version: 1\nstack: { name: mf-test }\nplugins: [metadata]\n', { plugins });
    expect(e.message).toBe('the metadata service runs in a network, but network is not in plugins');
    expect(e.loc).toMatchObject({ line: 3, column: 10 });
    expect(e.hint).toBe('add network to plugins (and a network: section), or use a service that runs already with metadata.existing');
  });
});

describe('security settings of the metadata service', () => {
  it('logs every API request (JSON access log kept 30 days) and method errors, through the account-level CloudWatch role kept on delete', async () => {
    const { template } = await compile('metadata: { access: api-gateway }', { batch: true });
    const r = template.Resources;
    const stage = r.MetadataApiStage!;
    expect(stage.DependsOn).toEqual(['MetadataApiGatewayAccount']);
    expect(stage.Properties.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': ['MetadataApiAccessLogGroup', 'Arn'] });
    expect(JSON.parse(stage.Properties.AccessLogSetting.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
    expect(stage.Properties.MethodSettings[0]).toMatchObject({ LoggingLevel: 'ERROR', DataTraceEnabled: false });
    expect(r.MetadataApiAccessLogGroup!.Properties.RetentionInDays).toBe(30);
    expect(r.MetadataApiGatewayAccount!.Properties.CloudWatchRoleArn).toEqual({
      'Fn::GetAtt': ['MetadataApiGatewayCloudWatchRole', 'Arn'],
    });
    expect((r.MetadataApiGatewayCloudWatchRole as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    expect(r.MetadataApiProxyMethod!.Properties).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: true });
    expect(r.MetadataApiWebAcl).toBeUndefined();
  });

  it('with authorization: iam, every method needs SigV4 and there is no API key, usage plan or key output', async () => {
    const { template } = await compile('metadata: { access: api-gateway, apiGateway: { authorization: iam } }', { batch: true });
    const r = template.Resources;
    for (const id of ['MetadataApiProxyMethod']) {
      expect(r[id]!.Properties).toMatchObject({ AuthorizationType: 'AWS_IAM', ApiKeyRequired: false });
    }
    expect(Object.keys(r).filter((id) => /ApiKey|UsagePlan/.test(id))).toEqual([]);
    expect(template.Outputs.MetadataApiKeyId).toBeUndefined();
  });

  it('puts a created web ACL (AWS common rules with large bodies only counted, a per-address rate limit) or a given one on the stage', async () => {
    const created = (await compile('metadata: { access: api-gateway, apiGateway: { waf: { rateLimitPer5Minutes: 500 } } }')).template
      .Resources;
    const acl = created.MetadataApiWebAcl!.Properties;
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.Rules.map((rule: { Name: string }) => rule.Name)).toEqual(['AWSManagedRulesCommonRuleSet', 'RateLimitPerAddress']);
    expect(acl.Rules[0].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
    ]);
    expect(acl.Rules[1].Statement.RateBasedStatement).toEqual({ Limit: 500, AggregateKeyType: 'IP' });
    expect(created.MetadataApiWebAclAssociation!.Properties.ResourceArn).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${MetadataApi}/stages/${MetadataApiStage}',
    });
    const arn = 'arn:aws:wafv2:us-west-2:123456789012:regional/webacl/shared/0123abcd-0123-4567-89ab-0123456789ab';
    const given = (await compile(`metadata: { access: api-gateway, apiGateway: { waf: { webAclArn: "${arn}" } } }`)).template.Resources;
    expect(given.MetadataApiWebAcl).toBeUndefined();
    expect(given.MetadataApiWebAclAssociation!.Properties.WebACLArn).toBe(arn);
  });

  it('exports the PostgreSQL and upgrade logs of the database', async () => {
    const { template } = await compile('metadata: {}');
    expect(template.Resources.MetadataDatabase!.Properties.EnableCloudwatchLogsExports).toEqual(['postgresql', 'upgrade']);
  });

  it('mounts the root filesystem read-only with a writable /tmp volume and runs as the given user, only when asked', async () => {
    const hardened = (await compile('metadata: { container: { readOnlyRootFilesystem: true, user: "1000:1000" } }')).template.Resources;
    const task = hardened.MetadataTaskDefinition!.Properties;
    expect(task.Volumes).toEqual([{ Name: 'tmp' }]);
    expect(task.ContainerDefinitions[0]).toMatchObject({
      ReadonlyRootFilesystem: true,
      User: '1000:1000',
      MountPoints: [{ SourceVolume: 'tmp', ContainerPath: '/tmp', ReadOnly: false }],
    });
    const plain = (await compile('metadata: {}')).template.Resources.MetadataTaskDefinition!.Properties;
    expect(plain.Volumes).toBeUndefined();
    expect(plain.ContainerDefinitions[0].ReadonlyRootFilesystem).toBeUndefined();
  });
});
