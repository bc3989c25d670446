import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readFile, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fail, MfinfraError, restate } from '../errors.js';

export interface AtomicWriteOptions {
  /** Create missing parent folders (default: false — a missing folder is an error). */
  createDirs?: boolean;
  /** File mode, e.g. 0o600 for files holding secrets. */
  mode?: number;
  /**
   * Files that must never be written (the manifest, a template source), compared by real path, so a
   * symlink or `../` spelling of one is refused too. `what` names it in the error.
   */
  protect?: readonly { path: string; what: string }[];
}

/** Symlinks followed before giving up with "symlink loop" (Linux's own limit is 40). */
const MAX_LINK_HOPS = 40;

/**
 * Write a file atomically: write a temporary file beside it, flush it, then rename it over the
 * destination. Readers see the old file or the new one, never half of one; a failure leaves the
 * destination untouched and removes the temporary file.
 *
 * A destination that is a symlink is written through: the link stays and the file it points at is
 * replaced (atomically, beside that file). Replacing the link itself would silently cut it from
 * the file the user linked (dotfiles, a shared folder); refusing would make every linked setup an
 * error. The real target is what the protect list is checked against.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFilesAtomic([{ file, data, options }]);
}

export interface AtomicWriteEntry {
  file: string;
  data: string | Uint8Array;
  options?: AtomicWriteOptions;
}

interface Staged {
  entry: AtomicWriteEntry;
  target: string;
  tmp: string;
  /** The target's content before, to put back if a later rename fails; undefined when it did not exist. */
  before?: { data: Buffer; mode: number };
}

/**
 * Write several files all or nothing: every file is first written in full to a temporary file beside
 * its destination (so a full disk or an unwritable folder fails before any destination changes),
 * then each is renamed over its destination. If a rename fails, the destinations already replaced
 * get their previous content back (or are removed when they did not exist) and the error says what
 * happened; when even that fails, it names the files left with new content.
 */
export async function writeFilesAtomic(entries: readonly AtomicWriteEntry[]): Promise<void> {
  const staged: Staged[] = [];
  const cleanup = () => Promise.all(staged.map((s) => rm(s.tmp, { force: true })));
  const many = entries.length > 1;
  const nothing = many ? '; nothing was written' : '';
  try {
    for (const entry of entries) staged.push(await stage(entry));
  } catch (e) {
    await cleanup();
    if (MfinfraError.is(e)) {
      throw many ? restate(e, `${e.message}${nothing}`, { hint: e.hint }) : e;
    }
    throw e;
  }
  const done: Staged[] = [];
  for (const s of staged) {
    try {
      await rename(s.tmp, s.target);
      done.push(s);
    } catch (e) {
      await cleanup();
      const restoreFailed: string[] = [];
      for (const d of done.reverse()) {
        try {
          if (d.before) await replaceWith(d.target, d.before.data, d.before.mode);
          else await rm(d.target, { force: true });
        } catch {
          restoreFailed.push(d.target);
        }
      }
      const why = `cannot write ${s.entry.file}: ${(e as Error).message}`;
      const message =
        restoreFailed.length === 0
          ? `${why}${nothing}${done.length ? ` (${done.length} file${done.length === 1 ? '' : 's'} already replaced ${done.length === 1 ? 'was' : 'were'} put back)` : ''}`
          : `${why}; these files were written and could not be put back: ${restoreFailed.join(', ')}`;
      throw fail.OUTPUT_UNWRITABLE(message, {
        hint: 'check the path, its permissions and the free disk space, then run the command again',
        cause: e,
      });
    }
  }
}

async function stage(entry: AtomicWriteEntry): Promise<Staged> {
  const { file, data } = entry;
  const options = entry.options ?? {};
  const target = await linkTarget(file);
  await refuseProtected(file, target, options.protect ?? []);
  const dir = path.dirname(target);
  const dirInfo = await stat(dir).catch(() => undefined);
  if (!dirInfo) {
    if (!options.createDirs) {
      throw fail.OUTPUT_UNWRITABLE(`cannot write ${file}: folder ${dir} does not exist`, {
        hint: `create it first (mkdir -p ${dir}) or choose another path`,
      });
    }
    await mkdir(dir, { recursive: true });
  } else if (!dirInfo.isDirectory()) {
    throw fail.OUTPUT_UNWRITABLE(`cannot write ${file}: ${dir} is not a folder`, {});
  }
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw fail.OUTPUT_UNWRITABLE(`cannot write ${file}: it is a folder`, {
      hint: 'choose another path',
    });
  }
  if (existing && !existing.isFile()) {
    throw fail.OUTPUT_UNWRITABLE(`cannot write ${file}: it is not a regular file`, {
      hint: 'choose another path',
    });
  }
  const before = existing ? { data: await readFile(target), mode: existing.mode & 0o7777 } : undefined;
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = options.mode ?? 0o644;
  try {
    await writeTemp(tmp, data, mode);
  } catch (e) {
    await rm(tmp, { force: true });
    throw fail.OUTPUT_UNWRITABLE(`cannot write ${file}: ${(e as Error).message}`, {
      hint: 'check the path, its permissions and the free disk space',
      cause: e,
    });
  }
  return { entry, target, tmp, before };
}

async function writeTemp(tmp: string, data: string | Uint8Array, mode: number): Promise<void> {
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(tmp, mode);
}

async function replaceWith(target: string, data: Buffer, mode: number): Promise<void> {
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.restore`;
  try {
    await writeTemp(tmp, data, mode);
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The file a path finally names: symlinks followed (a dangling link names its missing target). */
async function linkTarget(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const info = await lstat(current).catch(() => undefined);
    if (!info?.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw fail.OUTPUT_UNWRITABLE(`cannot write ${file}: it is a symlink loop`, {
    hint: 'point the link at a file, or choose another path',
  });
}

/** The real path of a file (or of its nearest existing folder, plus the rest); symlinks followed. */
export async function realPathOf(p: string): Promise<string> {
  return realish(await linkTarget(p).catch(() => path.resolve(p)));
}

async function realish(p: string): Promise<string> {
  const abs = path.resolve(p);
  const real = await realpath(abs).catch(() => undefined);
  if (real) return real;
  const parent = path.dirname(abs);
  return parent === abs ? abs : path.join(await realish(parent), path.basename(abs));
}

/**
 * Throw OUTPUT_UNWRITABLE when `file` (followed through symlinks) is one of the protected files.
 * The exit code defaults to 1 (found while writing); callers that check before doing anything pass 2 or 3.
 */
export async function refuseProtected(
  file: string,
  target: string | undefined,
  protect: readonly { path: string; what: string }[],
  kind: 'runtime' | 'usage' = 'runtime',
): Promise<void> {
  if (protect.length === 0) return;
  const real = await realish(target ?? (await linkTarget(file)));
  for (const p of protect) {
    if ((await realish(p.path)) === real) {
      throw fail.OUTPUT_UNWRITABLE(`refusing to write ${file}: it is ${p.what}`, {
        hint: 'choose another file name; mfinfra never overwrites the manifest or a file it was not told to write',
        kind,
      });
    }
  }
}
