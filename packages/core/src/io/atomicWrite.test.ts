import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MfinfraError } from '../errors.js';
import { writeFileAtomic } from './atomicWrite.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'mfinfra-atomic-'));

describe('writeFileAtomic', () => {
  it('replaces a file in one step and leaves no temporary files', async () => {
    const dir = tmp();
    const file = path.join(dir, 'a.json');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('refuses a missing folder unless asked to create it', async () => {
    const dir = tmp();
    const err = await writeFileAtomic(path.join(dir, 'no/such/a.txt'), 'x').catch((e) => e);
    expect(MfinfraError.is(err) && err.code).toBe('OUTPUT_UNWRITABLE');
    await writeFileAtomic(path.join(dir, 'no/such/a.txt'), 'x', { createDirs: true });
    expect(readFileSync(path.join(dir, 'no/such/a.txt'), 'utf8')).toBe('x');
  });

  it('sets the requested file mode (0600 for secrets)', async () => {
    const file = path.join(tmp(), 'secret');
    await writeFileAtomic(file, 's', { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('cleans up and keeps the old file when the write fails', async () => {
    const dir = tmp();
    const target = path.join(dir, 'target');
    writeFileSync(path.join(dir, 'keep'), 'x');
    // Renaming a file over a non-empty directory fails.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'y');
    const err = await writeFileAtomic(target, 'data').catch((e) => e);
    expect(MfinfraError.is(err)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['keep', 'target']);
  });
});
