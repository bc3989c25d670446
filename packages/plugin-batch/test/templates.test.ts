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
