/**
 * The Python code of the `Custom::RestrictDefaultSecurityGroup` function, taken from a compiled
 * template and run against moto's EC2 (in process, no Lambda): what the function does to the default
 * security group, and that it answers CloudFormation every time (a custom resource that never answers
 * hangs a deploy for an hour).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { peerAvailable } from '@mfinfra/core/testing';
import { compile } from './helpers.js';
import { variants } from './variants.js';

const driver = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python', 'restrict_default_sg.py');
const moto = peerAvailable('python3', { name: 'moto', args: ['-c', 'import moto, boto3'], install: 'pip install "moto[server]"' });

describe.skipIf(!moto)('the default-security-group function (against moto EC2)', () => {
  it('empties the group on create and update, restores the defaults on delete, answers FAILED for a missing group', async () => {
    const { template } = await compile(variants['create-public']!);
    const fn = template.Resources.NetworkRestrictDefaultSecurityGroupFunction!.Properties!;
    expect(fn.Handler).toBe('index.handler');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-sg-'));
    try {
      writeFileSync(path.join(dir, 'index.py'), (fn.Code as { ZipFile: string }).ZipFile);
      const run = spawnSync('python3', [driver, dir], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      // [inbound rules, outbound rules] of the VPC's default group (moto makes it with outbound only).
      expect(out.before).toEqual([0, 1]);
      expect(out.afterCreate).toEqual([0, 0]);
      expect(out.afterUpdate).toEqual([0, 0]);
      expect(out.afterDelete).toEqual([1, 1]);
      expect(out.answers).toEqual([
        ['SUCCESS', out.group],
        ['SUCCESS', out.group],
        ['SUCCESS', out.group],
        ['FAILED', 'sg-00000000000000000'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
