/**
 * All-or-nothing writes under faults (issue 12, item 10): a full disk on the second file, or a rename
 * that fails after the first file is in place, leaves every destination as it was, and the error says
 * what is true. The faults are injected into node:fs/promises.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MfinfraError } from '../errors.js';
import { writeFilesAtomic } from './atomicWrite.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, open: vi.fn(real.open), rename: vi.fn(real.rename) };
});
const realFs = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'mfinfra-atomic-faults-'));
const errno = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

afterEach(() => {
  vi.mocked(fsp.open).mockImplementation(realFs.open);
  vi.mocked(fsp.rename).mockImplementation(realFs.rename);
});

/** Fail the n-th (1-based) temporary file's write with ENOSPC, as a full disk does. */
function fullDiskOnTempFile(n: number) {
  let count = 0;
  vi.mocked(fsp.open).mockImplementation(async (file, flags, mode) => {
    const handle = await realFs.open(file, flags, mode);
    if (String(file).endsWith('.tmp') && ++count === n) {
      return Object.assign(Object.create(handle) as fsp.FileHandle, {
        writeFile: async () => {
          throw errno('ENOSPC', 'no space left on device, write');
        },
        close: () => handle.close(),
        sync: () => handle.sync(),
      });
    }
    return handle;
  });
}

describe('writeFilesAtomic under faults', () => {
  it('a full disk on the second file: the first is not written either, no temporary files remain, the message says so', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'config.json'), 'old config');
    fullDiskOnTempFile(2);
    const err = await writeFilesAtomic([
      { file: path.join(dir, 'config.json'), data: 'new config' },
      { file: path.join(dir, '.config.json.mfinfra.json'), data: 'record' },
    ]).catch((e: unknown) => e);
    expect(MfinfraError.is(err)).toBe(true);
    expect((err as MfinfraError).message).toBe(
      `cannot write ${path.join(dir, '.config.json.mfinfra.json')}: ENOSPC: no space left on device, write; nothing was written`,
    );
    expect((err as MfinfraError).exitCode).toBe(1);
    expect(readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('old config');
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('a rename failing after the first file is in place: the first gets its old content back (a new one is removed)', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a.json'), 'old a');
    let renames = 0;
    vi.mocked(fsp.rename).mockImplementation(async (from, to) => {
      if (String(from).endsWith('.tmp') && ++renames === 3) throw errno('EIO', 'i/o error, rename');
      return realFs.rename(from, to);
    });
    const err = await writeFilesAtomic([
      { file: path.join(dir, 'a.json'), data: 'new a' },
      { file: path.join(dir, 'b.json'), data: 'new b' },
      { file: path.join(dir, 'c.json'), data: 'new c' },
    ]).catch((e: unknown) => e);
    expect((err as MfinfraError).message).toBe(
      `cannot write ${path.join(dir, 'c.json')}: EIO: i/o error, rename; nothing was written (2 files already replaced were put back)`,
    );
    expect(readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe('old a');
    expect(readdirSync(dir).sort()).toEqual(['a.json']);
  });

  it('when putting back fails too, the message names the files left with new content instead of claiming nothing was written', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a.json'), 'old a');
    vi.mocked(fsp.rename).mockImplementation(async (from, to) => {
      if (String(from).endsWith('.tmp') && String(to).endsWith('b.json')) throw errno('EIO', 'i/o error, rename');
      if (String(from).endsWith('.restore')) throw errno('EIO', 'i/o error, rename');
      return realFs.rename(from, to);
    });
    const err = await writeFilesAtomic([
      { file: path.join(dir, 'a.json'), data: 'new a' },
      { file: path.join(dir, 'b.json'), data: 'new b' },
    ]).catch((e: unknown) => e);
    expect((err as MfinfraError).message).toBe(
      `cannot write ${path.join(dir, 'b.json')}: EIO: i/o error, rename; these files were written and could not be put back: ${path.join(dir, 'a.json')}`,
    );
    expect((err as MfinfraError).message).not.toContain('nothing was written');
    expect(readFileSync(path.join(dir, 'a.json'), 'utf8')).toBe('new a');
  });
});
