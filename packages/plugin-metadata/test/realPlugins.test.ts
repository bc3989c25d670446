/**
 * The metadata plugin with the real network, datastore and batch plugins: the pieces fit together
 * (subnets, routes, Batch's security group), and the whole template passes cfn-lint.
 */
import { cfnLintAvailable, compileManifest, iamViolations, lintVariants, openIngress } from '@mfinfra/core/testing';
import batchPlugin from '@mfinfra/plugin-batch';
import datastorePlugin from '@mfinfra/plugin-datastore';
import networkPlugin from '@mfinfra/plugin-network';
import { describe, expect, it } from 'vitest';
import { metadataPlugin } from '../src/index.js';

const plugins = { network: networkPlugin, datastore: datastorePlugin, batch: batchPlugin, metadata: metadataPlugin };

const stack = (network: string, metadata: string) =>
  [
    'version: 1',
    'stack: { name: mf-real, region: us-west-2 }',
    'plugins: [network, datastore, batch, metadata]',
    `network: ${network}`,
    'datastore: {}',
    'batch: { computeEnvironments: [{ name: cpu, maxVcpus: 16 }] }',
    `metadata: ${metadata}`,
    '',
  ].join('\n');

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[] }> };

const cases = {
  'private VPC, API Gateway': stack('{ create: { private: true } }', '{ access: api-gateway }'),
  'public VPC, internal': stack('{ create: {} }', '{ profile: development }'),
  'existing VPC': stack(
    '{ existing: { vpcId: vpc-0123456789abcdef0, cidr: 10.0.0.0/16, subnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210] } }',
    '{ access: api-gateway }',
  ),
};

it.skipIf(!cfnLintAvailable())('every case passes cfn-lint with no errors and no warnings', async () => {
  const { findings, expected } = await lintVariants(cases, async (text) => (await compileManifest(text, { plugins })).body, {
    region: 'us-west-2',
  });
  expect(findings).toEqual(expected);
});

describe.each(Object.entries(cases))('%s', (_name, text) => {
  it('keeps IAM scoped and ingress closed to the internet', async () => {
    const template = JSON.parse((await compileManifest(text, { plugins })).body) as Template;
    expect(iamViolations(template)).toEqual([]);
    expect(openIngress(template)).toEqual([]);
  });
});

describe('with the real network', () => {
  it('puts tasks, load balancer and database in the private subnets and waits for their routes', async () => {
    const template = JSON.parse((await compileManifest(cases['private VPC, API Gateway'], { plugins })).body) as Template;
    const r = template.Resources;
    const privateSubnets = Object.keys(r)
      .filter((id) => r[id]!.Type === 'AWS::EC2::Subnet' && /Private/.test(id))
      .map((id) => ({ Ref: id }));
    expect(privateSubnets.length).toBe(2);
    expect(r.MetadataService!.Properties.NetworkConfiguration.AwsvpcConfiguration).toEqual({
      Subnets: privateSubnets,
      SecurityGroups: [{ 'Fn::GetAtt': ['MetadataServiceSecurityGroup', 'GroupId'] }],
      AssignPublicIp: 'DISABLED',
    });
    expect(r.MetadataLoadBalancer!.Properties.Subnets).toEqual(privateSubnets);
    expect(r.MetadataDatabaseSubnetGroup!.Properties.SubnetIds).toEqual(privateSubnets);
    const routes = Object.keys(r).filter((id) => r[id]!.Type === 'AWS::EC2::Route' && /Private/.test(id));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(r.MetadataService!.DependsOn).toContain(route);
  });

  it("lets Batch's compute security group reach the load balancer", async () => {
    const template = JSON.parse((await compileManifest(cases['public VPC, internal'], { plugins })).body) as Template;
    const r = template.Resources;
    const batchSg = r.MetadataLoadBalancerIngressFromBatch!.Properties.SourceSecurityGroupId['Fn::GetAtt'][0];
    expect(r[batchSg]!.Type).toBe('AWS::EC2::SecurityGroup');
    expect(r.MetadataService!.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
  });
});
