/**
 * Every example manifest under examples/ compiles, compiles to the same bytes twice, passes cfn-lint
 * with zero errors and zero warnings, and keeps the project's security and data-safety promises.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompileResult } from '../packages/core/src/index.js';
import { cfnLint, peerAvailable } from './helpers/peers.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = path.join(repo, 'examples');
const examples = readdirSync(examplesDir)
  .filter((d) => existsSync(path.join(examplesDir, d, 'metaflow.infra.yaml')))
  .sort();

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const compiled = new Map<string, CompileResult>();

beforeAll(async () => {
  for (const name of examples) compiled.set(name, await compile({ manifest: path.join(examplesDir, name) }));
}, 120_000);

function resources(name: string): [string, Resource][] {
  return Object.entries(compiled.get(name)!.template.Resources) as [string, Resource][];
}

function statements(doc: any): any[] {
  if (!doc) return [];
  const s = doc.Statement;
  return Array.isArray(s) ? s : s ? [s] : [];
}

function allPolicyStatements(name: string): { where: string; statement: any }[] {
  const out: { where: string; statement: any }[] = [];
  for (const [id, r] of resources(name)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Role') {
      for (const pol of p.Policies ?? []) for (const st of statements(pol.PolicyDocument)) out.push({ where: `${id}.${pol.PolicyName}`, statement: st });
    }
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      for (const st of statements(p.PolicyDocument)) out.push({ where: id, statement: st });
    }
  }
  return out;
}

describe('examples', () => {
  it('include the shapes the issues ask for', () => {
    expect(examples.length).toBeGreaterThanOrEqual(1);
  });

  for (const name of examples) {
    describe(name, () => {
      it('compiles to the same bytes every time', async () => {
        const again = await compile({ manifest: path.join(examplesDir, name) });
        expect(again.body).toBe(compiled.get(name)!.body);
      });

      it('grants no wildcard or *FullAccess IAM permissions', () => {
        for (const { where, statement } of allPolicyStatements(name)) {
          if (statement.Effect !== 'Allow') continue;
          const actions: string[] = [statement.Action ?? []].flat();
          const res = [statement.Resource ?? []].flat();
          expect(actions, where).not.toContain('*');
          if (res.includes('*')) {
            for (const a of actions) expect(a, `${where}: ${a} on Resource "*"`).not.toMatch(/:\*$/);
          }
        }
        for (const [id, r] of resources(name)) {
          for (const arn of r.Properties?.ManagedPolicyArns ?? []) {
            expect(JSON.stringify(arn), `${id} uses a *FullAccess managed policy`).not.toMatch(/FullAccess/);
          }
        }
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
            expect(typeof p.MasterUserPassword === 'string' && !p.MasterUserPassword.includes('{{resolve:'), `${id} has a literal password`).toBe(false);
          }
        }
      });

      it('opens no security group to 0.0.0.0/0 for ingress', () => {
        for (const [id, r] of resources(name)) {
          const rules = r.Type === 'AWS::EC2::SecurityGroup' ? (r.Properties?.SecurityGroupIngress ?? []) : r.Type === 'AWS::EC2::SecurityGroupIngress' ? [r.Properties] : [];
          for (const rule of rules) {
            expect(rule.CidrIp, id).not.toBe('0.0.0.0/0');
            expect(rule.CidrIpv6, id).not.toBe('::/0');
          }
        }
      });
    });
  }

  it('every example passes cfn-lint with zero errors and zero warnings', async () => {
    if (!peerAvailable('cfn-lint')) return;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-examples-'));
    const files = examples.map((name) => {
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, compiled.get(name)!.body);
      return file;
    });
    const findings = await cfnLint(files);
    expect(findings.map((f) => `${path.basename(f.Filename)} ${f.Rule.Id} ${f.Message} at ${(f.Location.Path ?? []).join('.')}`)).toEqual([]);
  }, 180_000);
});
