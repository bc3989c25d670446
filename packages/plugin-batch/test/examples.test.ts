/**
 * The example manifests under examples/ that use the batch plugin: each compiles, passes cfn-lint,
 * grants no broad IAM, and compiles to the same bytes twice. Plugins resolve from examples/
 * exactly as `mfinfra compile examples/<name>` resolves them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import type { CompileResult } from '@mfinfra/core';
import { cfnLint, cfnLintAvailable, compileManifest, iamViolations, noFindings } from '@mfinfra/core/testing';

const examplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

const EXAMPLES = ['datastore-batch', 'existing-vpc', 'private-networking', 'spot-gpu'];

async function compileExample(name: string): Promise<CompileResult> {
  const dir = path.join(examplesDir, name);
  const text = await readFile(path.join(dir, 'metaflow.infra.yaml'), 'utf8');
  return compileManifest(text, { cwd: dir });
}

const compiled: Record<string, CompileResult> = {};
beforeAll(async () => {
  for (const name of EXAMPLES) compiled[name] = await compileExample(name);
});

describe.each(EXAMPLES)('examples/%s', (name) => {
  test('compiles with no warnings; the Batch part of the template is as recorded', async () => {
    const r = compiled[name]!;
    expect(r.warnings).toEqual([]);
    const batch = Object.fromEntries(Object.entries(r.template.Resources).filter(([id]) => r.resourceOwners[id] === 'batch'));
    await expect(
      JSON.stringify(
        {
          Resources: batch,
          config: r.configOutputs.filter((c) => c.pluginKey === 'batch'),
          stackOutputs: r.stackOutputs.filter((s) => s.pluginKey === 'batch'),
        },
        null,
        2,
      ) + '\n',
    ).toMatchFileSnapshot(`__snapshots__/examples/${name}.batch.json`);
  });

  test('no broad IAM grants', () => {
    expect(iamViolations(compiled[name]!.template)).toEqual([]);
  });

  test('byte-identical when compiled again', async () => {
    expect((await compileExample(name)).body).toBe(compiled[name]!.body);
  });
});

test('cfn-lint finds no errors and no warnings in any example template', async () => {
  if (!cfnLintAvailable()) return;
  const findings = await cfnLint(Object.fromEntries(Object.entries(compiled).map(([name, r]) => [name, r.body])));
  expect(findings).toEqual(noFindings(compiled));
}, 120_000);
