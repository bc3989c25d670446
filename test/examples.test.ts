/**
 * Every example manifest under examples/ compiles, compiles to the same bytes twice, passes cfn-lint
 * with zero errors and zero warnings, and keeps the project's security and data-safety promises.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompileResult } from '../packages/core/src/index.js';
import { exampleTargets } from './helpers/examples.js';
import { cfnLint, cfnLintAvailable, iamViolations, noFindings, openIngress } from '../packages/core/src/testing.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = path.join(repo, 'examples');
// One entry per example, and per environment of an example with environments (examples/environments).
const targets = exampleTargets(examplesDir);
const examples = targets.map((t) => t.name);
const targetOf = (name: string) => targets.find((t) => t.name === name)!;
const compileTarget = (name: string) => compile({ manifest: targetOf(name).dir, env: targetOf(name).env });

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const compiled = new Map<string, CompileResult>();

beforeAll(async () => {
  for (const name of examples) compiled.set(name, await compileTarget(name));
}, 120_000);

function resources(name: string): [string, Resource][] {
  return Object.entries(compiled.get(name)!.template.Resources) as [string, Resource][];
}

describe('examples', () => {
  it('include the shapes the issues ask for', () => {
    expect(examples.length).toBeGreaterThanOrEqual(1);
  });

  it('environments: dev and prod are two stacks in two regions, prod larger and pinned to its account', () => {
    const dev = compiled.get('environments@dev')!;
    const prod = compiled.get('environments@prod')!;
    expect([dev.stackName, dev.region, dev.manifest.stack.profile]).toEqual(['metaflow-dev', 'us-west-2', 'metaflow-dev']);
    expect([prod.stackName, prod.region, prod.manifest.stack.account]).toEqual(['metaflow-prod', 'us-east-1', '123456789012']);
    const vcpus = (r: CompileResult) =>
      Object.values(r.template.Resources as Record<string, Resource>)
        .filter((x) => x.Type === 'AWS::Batch::ComputeEnvironment')
        .reduce((n, x) => n + (x.Properties?.ComputeResources?.MaxvCpus as number), 0);
    expect(vcpus(dev)).toBe(32);
    expect(vcpus(prod)).toBe(320);
    expect(dev.manifest.outputs.metaflowConfig.profile).toBe('dev');
    expect(prod.manifest.outputs.metaflowConfig.profile).toBe('prod');
  });

  for (const name of examples) {
    describe(name, () => {
      it('compiles to the same bytes every time', async () => {
        const again = await compileTarget(name);
        expect(again.body).toBe(compiled.get(name)!.body);
      });

      it('grants no wildcard or *FullAccess IAM permissions', () => {
        expect(iamViolations(compiled.get(name)!.template)).toEqual([]);
      });

      it('keeps stateful data when resources are deleted or replaced', () => {
        for (const [id, r] of resources(name)) {
          if (['AWS::S3::Bucket', 'AWS::DynamoDB::Table'].includes(r.Type)) {
            expect(r.DeletionPolicy, id).toBe('Retain');
            expect(r.UpdateReplacePolicy, id).toBe('Retain');
          }
          if (r.Type === 'AWS::RDS::DBInstance' || r.Type === 'AWS::RDS::DBCluster') {
            expect(['Snapshot', 'Retain'], id).toContain(r.DeletionPolicy);
            expect(['Snapshot', 'Retain'], id).toContain(r.UpdateReplacePolicy);
          }
        }
      });

      it('keeps buckets private and encrypted, databases private and encrypted', () => {
        for (const [id, r] of resources(name)) {
          const p = r.Properties ?? {};
          if (r.Type === 'AWS::S3::Bucket') {
            expect(p.PublicAccessBlockConfiguration, id).toEqual({
              BlockPublicAcls: true,
              BlockPublicPolicy: true,
              IgnorePublicAcls: true,
              RestrictPublicBuckets: true,
            });
            expect(p.BucketEncryption?.ServerSideEncryptionConfiguration?.length, id).toBeGreaterThan(0);
          }
          if (r.Type === 'AWS::RDS::DBInstance') {
            expect(p.PubliclyAccessible, id).toBe(false);
            expect(p.StorageEncrypted, id).toBe(true);
            expect(
              typeof p.MasterUserPassword === 'string' && !p.MasterUserPassword.includes('{{resolve:'),
              `${id} has a literal password`,
            ).toBe(false);
          }
        }
      });

      it('keeps application load balancers internal unless the manifest asks, and serves nothing without sign-in', () => {
        const manifest = compiled.get(name)!.manifest as { ui?: { internetFacing?: boolean } };
        for (const [id, r] of resources(name)) {
          const p = r.Properties ?? {};
          if (r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' && p.Type === 'application') {
            expect(p.Scheme, id).toBe(manifest.ui?.internetFacing === true ? 'internet-facing' : 'internal');
          }
          const actions =
            r.Type === 'AWS::ElasticLoadBalancingV2::Listener'
              ? p.DefaultActions
              : r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule'
                ? p.Actions
                : undefined;
          if (actions === undefined || actions.every((a: { Type: string }) => a.Type !== 'forward' || p.Protocol === 'TCP')) continue;
          expect(p.Protocol ?? 'HTTPS', id).toBe('HTTPS');
          const first = [...actions].sort((a: { Order: number }, b: { Order: number }) => a.Order - b.Order)[0];
          expect(first.Type, `${id} forwards before authenticating`).toMatch(/^authenticate-(cognito|oidc)$/);
        }
      });

      it('lets exactly one source reach the migration port 8082: the migration function (then the load balancer)', () => {
        const sources: string[] = [];
        for (const [id, r] of resources(name)) {
          const p = r.Properties ?? {};
          const rules: Record<string, any>[] =
            r.Type === 'AWS::EC2::SecurityGroup'
              ? ((p.SecurityGroupIngress ?? []) as Record<string, any>[]).map((x) => ({ ...x, GroupId: { 'Fn::GetAtt': [id, 'GroupId'] } }))
              : r.Type === 'AWS::EC2::SecurityGroupIngress'
                ? [p]
                : [];
          for (const rule of rules) {
            if (rule.IpProtocol === '-1' || (Number(rule.FromPort) <= 8082 && 8082 <= Number(rule.ToPort))) {
              sources.push(
                `${JSON.stringify(rule.GroupId)} <- ${JSON.stringify(rule.SourceSecurityGroupId ?? rule.CidrIp ?? rule.CidrIpv6)}`,
              );
            }
          }
        }
        if (!resources(name).some(([id]) => id === 'MetadataService')) return;
        expect(sources.sort()).toEqual([
          '{"Fn::GetAtt":["MetadataLoadBalancerSecurityGroup","GroupId"]} <- {"Fn::GetAtt":["MetadataMigrationSecurityGroup","GroupId"]}',
          '{"Fn::GetAtt":["MetadataServiceSecurityGroup","GroupId"]} <- {"Fn::GetAtt":["MetadataLoadBalancerSecurityGroup","GroupId"]}',
        ]);
      });

      it('opens no security group to 0.0.0.0/0 for ingress', () => {
        expect(openIngress(compiled.get(name)!.template)).toEqual([]);
      });
    });
  }

  it('every example passes cfn-lint with zero errors and zero warnings', async () => {
    if (!cfnLintAvailable()) return;
    const bodies = Object.fromEntries(examples.map((name) => [name, compiled.get(name)!.body]));
    expect(await cfnLint(bodies)).toEqual(noFindings(bodies));
  }, 180_000);
});
