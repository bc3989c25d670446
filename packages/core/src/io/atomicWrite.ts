import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, ExitCode, MfinfraError } from '../errors.js';

export interface AtomicWriteOptions {
  /** Create missing parent folders (default: false — a missing folder is an error). */
  createDirs?: boolean;
  /** File mode, e.g. 0o600 for files holding secrets. */
  mode?: number;
}

/**
 * Write a file atomically: write a temporary file beside it, flush it, then rename it over the
 * destination. Readers see the old file or the new one, never half of one; a failure leaves the
 * destination untouched and removes the temporary file.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const dirInfo = await stat(dir).catch(() => undefined);
  if (!dirInfo) {
    if (!options.createDirs) {
      throw new MfinfraError(ErrorCode.OUTPUT_UNWRITABLE, `cannot write ${file}: folder ${dir} does not exist`, {
        hint: `create it first (mkdir -p ${dir}) or choose another path`,
        exitCode: ExitCode.FAILURE,
      });
    }
    await mkdir(dir, { recursive: true });
  } else if (!dirInfo.isDirectory()) {
    throw new MfinfraError(ErrorCode.OUTPUT_UNWRITABLE, `cannot write ${file}: ${dir} is not a folder`, { exitCode: ExitCode.FAILURE });
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = options.mode ?? 0o644;
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    if (MfinfraError.is(e)) throw e;
    throw new MfinfraError(ErrorCode.OUTPUT_UNWRITABLE, `cannot write ${file}: ${(e as Error).message}`, {
      hint: 'check the path and its permissions',
      exitCode: ExitCode.FAILURE,
      cause: e,
    });
  }
}
