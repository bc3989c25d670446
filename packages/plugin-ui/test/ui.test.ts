/**
 * The UI plugin with the real network, datastore, batch and metadata plugins: templates
 * (snapshots), the promises it makes (internal unless asked, no unauthenticated listener, the
 * password only as an ECS secret), its manifest errors with positions, and cfn-lint.
 */
import {
  actionsOnAnyResource,
  cfnLintAvailable,
  compileManifest,
  iamViolations,
  lintVariants,
  openIngress,
  problems,
} from '@mfinfra/core/testing';
import batchPlugin from '@mfinfra/plugin-batch';
import datastorePlugin from '@mfinfra/plugin-datastore';
import metadataPlugin from '@mfinfra/plugin-metadata';
import networkPlugin from '@mfinfra/plugin-network';
import { describe, expect, it } from 'vitest';
import { uiPlugin } from '../src/index.js';

const plugins = { network: networkPlugin, datastore: datastorePlugin, batch: batchPlugin, metadata: metadataPlugin, ui: uiPlugin };

const CERT = 'arn:aws:acm:us-west-2:123456789012:certificate/1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
const SECRET = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:metaflow-ui-oidc-AbCdEf';

/** `ui.auth` lines for an OIDC provider (no client secret key, no scope). */
const OIDC = [
  'auth:',
  '  provider: oidc',
  '  oidc:',
  '    issuer: https://login.example.com',
  '    authorizationEndpoint: https://login.example.com/oauth2/authorize',
  '    tokenEndpoint: https://login.example.com/oauth2/token',
  '    userInfoEndpoint: https://login.example.com/oauth2/userinfo',
  '    clientId: metaflow-ui',
  `    clientSecretArn: ${SECRET}`,
];

const manifest = (ui: string[], network = '{ create: { private: true } }', region = 'us-west-2') =>
  [
    'version: 1',
    `stack: { name: mf-ui, region: ${region} }`,
    'plugins: [network, datastore, batch, metadata, ui]',
    `network: ${network}`,
    'datastore: {}',
    'batch: { computeEnvironments: [{ name: cpu, maxVcpus: 16 }] }',
    'metadata: { profile: development }',
    'ui:',
    '  domainName: metaflow.example.com',
    `  certificateArn: ${CERT}`,
    ...ui.map((l) => `  ${l}`),
    '',
  ].join('\n');

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string };
type Template = { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };

async function compile(text: string) {
  const result = await compileManifest(text, { plugins });
  return { result, template: JSON.parse(result.body) as Template };
}

const variants: Record<string, string> = {
  'defaults: Cognito, internal load balancer, created log bucket': manifest([]),
  'internet-facing for one office, OIDC with a keyed secret, Route 53 alias, existing log bucket': manifest([
    'internetFacing: true',
    'allowedCidrs: [203.0.113.0/24]',
    'hostedZoneId: Z0123456789ABCDEFGHIJ',
    'accessLogs: { bucket: my-alb-logs, prefix: metaflow-ui }',
    ...OIDC,
    '    clientSecretKey: client_secret',
    '    scope: openid email profile',
  ]),
  'existing VPC in a region opened after 2022, ECR images, MFA required, threat protection enforced': manifest(
    [
      'backend: { image: 123456789012.dkr.ecr.ap-southeast-3.amazonaws.com/metaflow/service:v2.4.13, cpu: 4096, memory: 16384 }',
      'staticUi: { image: 123456789012.dkr.ecr.ap-southeast-3.amazonaws.com/metaflow/ui:v1.3.0 }',
      'auth: { cognito: { mfa: required, threatProtection: enforced } }',
    ],
    '{ existing: { vpcId: vpc-0123456789abcdef0, cidr: 10.0.0.0/16, subnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210] } }',
    'ap-southeast-3',
  ),
};

it.skipIf(!cfnLintAvailable())(
  'every variant passes cfn-lint with no errors and no warnings',
  async () => {
    const { findings, expected } = await lintVariants(variants, async (text) => (await compile(text)).result.body);
    expect(findings).toEqual(expected);
  },
  180_000,
);

describe.each(Object.entries(variants))('%s', (_name, text) => {
  it('compiles to the expected template', async () => {
    const { template } = await compile(text);
    const ui = Object.fromEntries(Object.entries(template.Resources).filter(([id]) => id.startsWith('Ui')));
    const outputs = Object.fromEntries(Object.entries(template.Outputs).filter(([id]) => /^Ui|UiUrl/.test(id)));
    expect({ resources: ui, outputs }).toMatchSnapshot();
  });

  it('keeps IAM scoped and ingress closed to the internet', async () => {
    const { template } = await compile(text);
    expect(iamViolations(template)).toEqual([]);
    expect(openIngress(template)).toEqual([]);
    expect(actionsOnAnyResource(template).filter((a) => !a.startsWith('ecr:GetAuthorizationToken'))).not.toContain('s3:GetObject');
  });

  it('serves the UI only over HTTPS and only after authentication', async () => {
    const { template } = await compile(text);
    const r = Object.values(template.Resources);
    const listeners = r.filter((x) => x.Type === 'AWS::ElasticLoadBalancingV2::Listener' && JSON.stringify(x).includes('UiLoadBalancer'));
    expect(listeners.map((l) => [l.Properties.Protocol, l.Properties.Port])).toEqual([['HTTPS', 443]]);
    const rules = r.filter((x) => x.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule');
    const actionLists = [...listeners.map((l) => l.Properties.DefaultActions), ...rules.map((x) => x.Properties.Actions)];
    expect(actionLists.length).toBe(2);
    for (const actions of actionLists) {
      const sorted = [...actions].sort((a: { Order: number }, b: { Order: number }) => a.Order - b.Order);
      expect(sorted[0].Type).toMatch(/^authenticate-(cognito|oidc)$/);
      expect(
        sorted[0][sorted[0].Type === 'authenticate-oidc' ? 'AuthenticateOidcConfig' : 'AuthenticateCognitoConfig'].OnUnauthenticatedRequest,
      ).toBe('authenticate');
    }
  });

  it('passes the database password only as an ECS secret', async () => {
    const { template } = await compile(text);
    const backend = template.Resources.UiBackendTaskDefinition!.Properties.ContainerDefinitions[0];
    expect(backend.Environment.map((e: { Name: string }) => e.Name)).not.toContain('MF_METADATA_DB_PSWD');
    expect(JSON.stringify(backend.Environment)).not.toContain('resolve:secretsmanager');
    expect(backend.Secrets).toEqual([
      { Name: 'MF_METADATA_DB_PSWD', ValueFrom: { 'Fn::Sub': ['${Secret}:password::', { Secret: { Ref: 'MetadataDatabaseSecret' } }] } },
    ]);
  });
});

describe('load balancer scheme', () => {
  it('is internal unless internetFacing is set, and open only to the VPC and allowedCidrs', async () => {
    const { template } = await compile(manifest(['allowedCidrs: [10.99.0.0/16]']));
    expect(template.Resources.UiLoadBalancer!.Properties.Scheme).toBe('internal');
    const ingress = template.Resources.UiLoadBalancerSecurityGroup!.Properties.SecurityGroupIngress;
    expect(ingress.map((i: { CidrIp: unknown; FromPort: number }) => [i.CidrIp, i.FromPort])).toEqual([
      [{ 'Fn::GetAtt': ['NetworkVpc', 'CidrBlock'] }, 443],
      ['10.99.0.0/16', 443],
    ]);
  });

  it('is internet-facing in the public subnets only when asked, admitting only allowedCidrs', async () => {
    const { template } = await compile(manifest(['internetFacing: true', 'allowedCidrs: [203.0.113.0/24]']));
    const alb = template.Resources.UiLoadBalancer!.Properties;
    expect(alb.Scheme).toBe('internet-facing');
    expect(JSON.stringify(alb.Subnets)).toMatch(/Public/);
    expect(
      template.Resources.UiLoadBalancerSecurityGroup!.Properties.SecurityGroupIngress.map((i: { CidrIp: unknown }) => i.CidrIp),
    ).toEqual(['203.0.113.0/24']);
  });

  it('runs the UI tasks in the private subnets without public IPs, in the metadata cluster', async () => {
    const { template } = await compile(manifest([]));
    for (const id of ['UiBackendService', 'UiStaticService']) {
      const p = template.Resources[id]!.Properties;
      expect(p.Cluster).toEqual({ Ref: 'MetadataCluster' });
      expect(p.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
      expect(JSON.stringify(p.NetworkConfiguration.AwsvpcConfiguration.Subnets)).toMatch(/Private/);
    }
  });

  it('lets the backend reach the database through its own rule, and nothing else new reaches it', async () => {
    const { template } = await compile(manifest([]));
    expect(template.Resources.UiDatabaseIngressFromBackend!.Properties).toMatchObject({
      GroupId: { 'Fn::GetAtt': ['MetadataDatabaseSecurityGroup', 'GroupId'] },
      FromPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': ['UiServiceSecurityGroup', 'GroupId'] },
    });
  });
});

describe('access logs', () => {
  it("let the region's Elastic Load Balancing account write, in regions opened before August 2022", async () => {
    const { template } = await compile(manifest([]));
    const statement = template.Resources.UiAccessLogsBucketPolicy!.Properties.PolicyDocument.Statement[0];
    expect(statement.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::797873946194:root' } });
    expect(template.Resources.UiAccessLogsBucket!.DeletionPolicy).toBe('Retain');
    expect(template.Resources.UiLoadBalancer!.DependsOn).toContain('UiAccessLogsBucketPolicy');
  });
});

describe('Cognito threat protection', () => {
  it('is off by default, with the reason in the template; audit or enforced puts the pool on the Plus plan', async () => {
    const off = (await compile(manifest([]))).template.Resources.UiUserPool!;
    expect(off.Properties.UserPoolTier).toBeUndefined();
    expect(off.Properties.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 16,
      RequireSymbols: true,
      RequireUppercase: true,
      RequireNumbers: true,
    });
    const off_ = off as unknown as { Metadata: { cdk_nag: { rules_to_suppress: { id: string; reason: string }[] } } };
    expect(off_.Metadata.cdk_nag.rules_to_suppress.map((r) => r.id)).toEqual(['AwsSolutions-COG8']);
    for (const [mode, expected] of [
      ['audit', 'AUDIT'],
      ['enforced', 'ENFORCED'],
    ] as const) {
      const on = (await compile(manifest([`auth: { cognito: { threatProtection: ${mode} } }`]))).template.Resources.UiUserPool!;
      expect(on.Properties).toMatchObject({ UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: expected } });
      expect((on as unknown as { Metadata?: unknown }).Metadata).toBeUndefined();
    }
  });
});

describe('outputs', () => {
  it('writes METAFLOW_UI_URL and the user pool id', async () => {
    const { result, template } = await compile(manifest([]));
    const key = result.configOutputs.find((c) => c.key === 'METAFLOW_UI_URL')!;
    expect(template.Outputs[key.outputName]!.Value).toBe('https://metaflow.example.com/');
    expect(template.Outputs.UiUserPoolId!.Value).toEqual({ Ref: 'UiUserPool' });
  });
});

describe('manifest errors', () => {
  it('refuses an internet-facing UI without allowedCidrs, OIDC without settings, and impossible Fargate sizes, at their positions', async () => {
    const text = manifest(['internetFacing: true', 'auth: { provider: oidc }', 'backend: { cpu: 512, memory: 16384 }']);
    expect(await problems(text, { plugins })).toMatchSnapshot();
  });

  it('requires a domain name and a certificate', async () => {
    const text = manifest([]).replace(/ {2}domainName: .*\n {2}certificateArn: .*\n/, '  internetFacing: false\n');
    const found = await problems(text, { plugins });
    expect(found.map((p) => p.message).join('\n')).toMatch(/domainName/);
    expect(found.map((p) => p.message).join('\n')).toMatch(/certificateArn/);
  });
});

describe('OIDC scope', () => {
  const oidc = (scope: string[]) => manifest([...OIDC, ...scope]);
  const scopeOf = (template: Template) =>
    template.Resources.UiHttpsListener!.Properties.DefaultActions.find((a: { Type: string }) => a.Type === 'authenticate-oidc')
      .AuthenticateOidcConfig.Scope;

  it('requests "openid email" when scope is not set, as the option says (the load balancer alone would ask only for openid)', async () => {
    expect(scopeOf((await compile(oidc([]))).template)).toBe('openid email');
  });

  it('requests the scopes given', async () => {
    expect(scopeOf((await compile(oidc(['    scope: openid profile']))).template)).toBe('openid profile');
  });
});
