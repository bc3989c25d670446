/**
 * The preview's own template diff (src/preview/templateDiff.ts, over the build-time resource spec
 * table) agrees with @aws-cdk/cloudformation-diff's fullDiff (over its full resource database) on
 * every example's first run, and on changes that replace, propagate replacement through references,
 * remove, add, narrow and broaden IAM, open ports, and touch Outputs and the Description. And the
 * table the build wrote is the one the installed library's database gives today.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { exampleTargets } from '../../../../test/helpers/examples.js';
import { compile } from '../../src/index.js';
import { extractResourceSpec } from '../../src/preview/resourceSpec.js';
import {
  changeImpact,
  diffTemplates,
  forEachDifference,
  otherChanges,
  securityChanges,
  type Template,
} from '../../src/preview/templateDiff.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../..');
const cfnDiff = createRequire(import.meta.url)('@aws-cdk/cloudformation-diff') as typeof import('@aws-cdk/cloudformation-diff');

type LibDiff = ReturnType<typeof cfnDiff.fullDiff>;

function ours(oldT: Template, newT: Template) {
  const d = diffTemplates(oldT, newT);
  return {
    resources: d.resources
      .map((r) => {
        const props: unknown[] = [];
        forEachDifference(r, (kind, name, v) =>
          props.push([kind, name, v.oldValue, v.newValue, (v as { changeImpact?: string }).changeImpact ?? null]),
        );
        return { id: r.logicalId, add: r.isAddition, remove: r.isRemoval, impact: changeImpact(r), props };
      })
      .sort((a, b) => a.id.localeCompare(b.id)),
    security: securityChanges(d),
    other: otherChanges(d),
  };
}

function theirs(oldT: Template, newT: Template) {
  const d: LibDiff = cfnDiff.fullDiff(oldT, newT);
  const other: unknown[] = [];
  for (const [section, coll] of [
    ['Parameters', d.parameters],
    ['Conditions', d.conditions],
    ['Mappings', d.mappings],
    ['Outputs', d.outputs],
  ] as const) {
    for (const [name, x] of Object.entries(coll.changes)) {
      if (x?.isDifferent) other.push({ section, name, change: x.isAddition ? 'add' : x.isRemoval ? 'remove' : 'modify' });
    }
  }
  for (const [name, x] of [
    ['Description', d.description],
    ['Transform', d.transform],
  ] as const) {
    if (x?.isDifferent) other.push({ section: 'Template', name, change: x.isAddition ? 'add' : x.isRemoval ? 'remove' : 'modify' });
  }
  return {
    resources: Object.entries(d.resources.changes)
      .filter(([, r]) => r?.isDifferent)
      .map(([id, r]) => {
        const props: unknown[] = [];
        r!.forEachDifference((kind, name, v) => {
          // The library rates a property its database does not list NO_CHANGE, one that updates in
          // place WILL_UPDATE; the table keeps only replacing properties (the preview reads both as
          // "in place"), so compare those two as one.
          const impact = (v as { changeImpact?: string }).changeImpact ?? null;
          props.push([kind, name, v.oldValue, v.newValue, impact === 'NO_CHANGE' ? 'WILL_UPDATE' : impact]);
        });
        const impact = r!.changeImpact as string;
        return {
          id,
          add: r!.isAddition,
          remove: r!.isRemoval,
          impact: impact === 'NO_CHANGE' && props.length ? 'WILL_UPDATE' : impact,
          props,
        };
      })
      .sort((a, b) => a.id.localeCompare(b.id)),
    security: securityChanges(d as never),
    other,
  };
}

/** Our NO_CHANGE-vs-WILL_UPDATE reading, applied to our side too. */
function same(oldT: Template, newT: Template) {
  const a = ours(oldT, newT);
  for (const r of a.resources) {
    r.props = r.props.map((p) => ((p as unknown[])[4] === 'NO_CHANGE' ? [...(p as unknown[]).slice(0, 4), 'WILL_UPDATE'] : p));
    if (r.impact === 'NO_CHANGE' && r.props.length) r.impact = 'WILL_UPDATE';
  }
  expect(a).toEqual(theirs(oldT, newT));
  return a;
}

const targets = exampleTargets(path.join(repo, 'examples'));
const examples = targets.map((t) => t.name).sort();
const templates = new Map<string, Template>();

beforeAll(async () => {
  for (const t of targets) templates.set(t.name, (await compile({ manifest: t.dir, env: t.env })).template as Template);
}, 120_000);

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function byType(t: Template, type: string): [string, any] {
  const hit = Object.entries(t.Resources as Record<string, any>).find(([, r]) => r.Type === type);
  if (!hit) throw new Error(`no ${type} in the template`);
  return hit;
}

describe('the preview template diff agrees with cloudformation-diff', () => {
  for (const name of examples) {
    it(`${name}: first run (everything added, every policy and rule new)`, () => {
      const r = same({}, templates.get(name)!);
      expect(r.resources.length).toBe(Object.keys(templates.get(name)!.Resources).length);
    });
  }

  it('no change at all', () => {
    const t = templates.get('full')!;
    expect(same(t, clone(t)).resources).toEqual([]);
  });

  it('a replacing property, propagated to what references the resource; a removal; an addition', () => {
    const old = templates.get('full')!;
    const next = clone(old);
    const [bucketId, bucket] = byType(next, 'AWS::S3::Bucket');
    bucket.Properties.BucketName = 'renamed-bucket';
    const [queueId] = byType(next, 'AWS::Batch::JobQueue');
    delete next.Resources[queueId];
    next.Resources.ExtraTopic = { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'extra' } };
    const r = same(old, next);
    expect(r.resources.find((x) => x.id === bucketId)?.impact).toBe('WILL_REPLACE');
    expect(r.resources.some((x) => x.remove)).toBe(true);
    expect(r.resources.some((x) => x.add)).toBe(true);
  });

  it('IAM: an action removed, a Deny added, a managed policy attached; a security-group port opened', () => {
    const old = templates.get('full')!;
    const next = clone(old);
    const [, role] = Object.entries(next.Resources as Record<string, any>).find(
      ([, x]) => x.Type === 'AWS::IAM::Role' && x.Properties.Policies?.length,
    )!;
    const statement = role.Properties.Policies[0].PolicyDocument.Statement[0];
    if (Array.isArray(statement.Action) && statement.Action.length > 1) statement.Action.pop();
    role.Properties.Policies[0].PolicyDocument.Statement.push({ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' });
    role.Properties.ManagedPolicyArns = [...(role.Properties.ManagedPolicyArns ?? []), 'arn:aws:iam::aws:policy/ReadOnlyAccess'];
    const [, sg] = byType(next, 'AWS::EC2::SecurityGroup');
    sg.Properties.SecurityGroupIngress = [
      ...(sg.Properties.SecurityGroupIngress ?? []),
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' },
    ];
    const r = same(old, next);
    expect(r.security.length).toBeGreaterThan(0);
  });

  it('the old template the other way round: removing a Deny broadens, removing everything removes', () => {
    const full = templates.get('full')!;
    const withDeny = clone(full);
    const [, role] = byType(withDeny, 'AWS::IAM::Role');
    role.Properties.Policies = [
      ...(role.Properties.Policies ?? []),
      { PolicyName: 'deny', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] } },
    ];
    same(withDeny, full);
    same(full, {});
  });

  it('DependsOn order, GetAtt short form, numbers as strings, Outputs and Description', () => {
    const old = templates.get('minimal')!;
    const next = clone(old);
    const [id, res] = Object.entries(next.Resources as Record<string, any>)[0]!;
    res.DependsOn = ['B', 'A'];
    const prev = clone(old);
    prev.Resources[id].DependsOn = ['A', 'B'];
    next.Description = 'another description';
    next.Outputs = { ...(next.Outputs ?? {}), Extra: { Value: { 'Fn::GetAtt': `${id}.Arn` } } };
    expect(same(prev, next).other.length).toBeGreaterThan(0);
  });
});

describe('the resource spec table', () => {
  it('the build wrote the table the installed library gives (rebuild after updating @aws-cdk/cloudformation-diff)', () => {
    const built = path.join(here, '../../dist/preview/resource-spec.json');
    const fresh = extractResourceSpec();
    expect(Object.keys(fresh).length).toBeGreaterThan(1000);
    expect(fresh['AWS::S3::Bucket']?.p?.BucketName).toEqual({ c: 'yes' });
    expect(fresh['AWS::IAM::Role']?.p?.Policies).toEqual({ s: 'InlineIdentityPolicies' });
    if (existsSync(built)) expect(JSON.parse(readFileSync(built, 'utf8'))).toEqual(fresh);
  });
});
