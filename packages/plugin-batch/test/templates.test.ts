/**
 * Whole compiled templates for each manifest shape, linted by cfn-lint, checked for broad IAM,
 * and compiled twice to prove the output is byte-identical.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { cfnLint, cfnLintAvailable, iamViolations, noFindings } from '@mfinfra/core/testing';
import type { CompileResult } from '@mfinfra/core';
import { compileBatch, manifest } from './helpers.js';
import { SHAPES } from './shapes.js';

const compiled: Record<string, CompileResult> = {};

beforeAll(async () => {
  for (const [name, shape] of Object.entries(SHAPES)) {
    compiled[name] = await compileBatch(manifest(shape.batch, 'mf-test', shape.tags), shape);
  }
});

describe.each(Object.keys(SHAPES))('%s', (name) => {
  test('whole template', async () => {
    await expect(compiled[name]!.body).toMatchFileSnapshot(`__snapshots__/${name}.template.json`);
  });

  test('Metaflow config outputs', () => {
    const config = Object.fromEntries(compiled[name]!.configOutputs.map((c) => [c.key, c.value]));
    expect(config).toMatchSnapshot();
  });

  test('no IAM statement allows every action, or every action of a service, on every resource', () => {
    expect(iamViolations(compiled[name]!.template)).toEqual([]);
  });

  test('the same manifest compiles to byte-identical output', async () => {
    const shape = SHAPES[name]!;
    const again = await compileBatch(manifest(shape.batch, 'mf-test', shape.tags), shape);
    expect(again.body).toBe(compiled[name]!.body);
  });
});

test('every launch template it makes requires IMDSv2 with hop limit 1 and says why on the resource', () => {
  let seen = 0;
  for (const result of Object.values(compiled)) {
    for (const r of Object.values(result.template.Resources)) {
      if (r.Type !== 'AWS::EC2::LaunchTemplate') continue;
      seen++;
      const data = r.Properties!.LaunchTemplateData as { MetadataOptions: unknown };
      expect(data.MetadataOptions).toEqual({ HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
      expect((r.Metadata as { Reasons: Record<string, string> }).Reasons.HttpPutResponseHopLimit).toMatch(/ECS task role.*bridge/);
    }
  }
  expect(seen).toBeGreaterThan(0);
});

test('each AWS managed policy and the datastore object wildcard carry a cdk-nag exception with a reason, scoped to that finding', () => {
  const r = compiled['spot-gpu']!.template.Resources;
  const nag = (id: string) => (r[id]!.Metadata as { cdk_nag: { rules_to_suppress: Record<string, unknown>[] } }).cdk_nag.rules_to_suppress;
  expect(nag('BatchInstanceRole')).toEqual([
    {
      id: 'AwsSolutions-IAM4',
      reason: expect.stringContaining('ECS agent'),
      applies_to: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role'],
    },
  ]);
  expect(nag('BatchJobRole')).toEqual([
    { id: 'AwsSolutions-IAM5', reason: expect.stringContaining('datastore'), applies_to: ['Resource::<FakeBucket.Arn>/*'] },
  ]);
});

test('cfn-lint finds no errors and no warnings in any template', async () => {
  if (!cfnLintAvailable()) return;
  const findings = await cfnLint(Object.fromEntries(Object.entries(compiled).map(([name, r]) => [name, r.body])));
  expect(findings).toEqual(noFindings(compiled));
}, 120_000);

test('the cfn-lint check reports a mistyped property', async () => {
  if (!cfnLintAvailable()) return;
  const template = structuredClone(compiled.defaults!.template);
  const queue = template.Resources.BatchDefaultJobQueue!.Properties!;
  queue.Priorty = queue.Priority;
  delete queue.Priority;
  const findings = await cfnLint({ broken: JSON.stringify(template, null, 2) });
  expect(findings.broken!.join('\n')).toMatch(/E3002 .*'Priorty' was unexpected/);
}, 60_000);
