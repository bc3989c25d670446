import { constants } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fail } from '../errors.js';
import { realPathOf } from '../io/atomicWrite.js';
import { expandHome } from './metaflowConfig.js';

export interface DestinationRules {
  /** The manifest's folder: relative paths resolve from here and must stay inside it. */
  baseDir: string;
  /** Other folders a relative path may reach (the Metaflow home). */
  allowedRoots: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolve where a file goes. Absolute paths (and `~/...`) are the user's explicit choice and are
 * taken as given; a relative path resolves from the manifest's folder and must not climb out of it
 * (with `..` or through a symlinked folder) unless it lands in the Metaflow home.
 */
export async function resolveDestination(raw: string, what: string, rules: DestinationRules): Promise<string> {
  const expanded = expandHome(raw, rules.env);
  if (path.isAbsolute(expanded)) return path.normalize(expanded);
  const resolved = path.resolve(rules.baseDir, expanded);
  const roots = [rules.baseDir, ...rules.allowedRoots].map((r) => path.resolve(r));
  const inside = async (p: string) => {
    for (const root of roots) {
      if (isWithin(root, p)) {
        // Follow symlinks of the folders that exist: a link inside the root must not lead out of it.
        const realRoot = await realpath(root).catch(() => root);
        const realExisting = await realExistingAncestor(p);
        if (isWithin(realRoot, realExisting.real + realExisting.rest)) return true;
      }
    }
    return false;
  };
  if (!(await inside(resolved))) {
    throw fail.OUTPUT_UNWRITABLE(`${what} path "${raw}" resolves to ${resolved}, outside the manifest's folder ${rules.baseDir}`, {
      hint: 'relative paths must stay inside the manifest folder (or the Metaflow home); give an absolute path to write elsewhere on purpose',
      kind: 'invalid',
    });
  }
  return resolved;
}

function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function realExistingAncestor(p: string): Promise<{ real: string; rest: string }> {
  let dir = p;
  let rest = '';
  for (;;) {
    try {
      return { real: await realpath(dir), rest };
    } catch {
      const parent = path.dirname(dir);
      rest = path.sep + path.basename(dir) + rest;
      if (parent === dir) return { real: dir, rest: '' };
      dir = parent;
    }
  }
}

/**
 * Check before writing anything that the file can be written: it is not a folder, and its nearest
 * existing ancestor is a writable folder (missing folders will be created). Throws OUTPUT_UNWRITABLE.
 */
export async function checkWritable(file: string, what: string): Promise<void> {
  const refuse = (why: string, hint = 'choose another path or fix its permissions'): never => {
    throw fail.OUTPUT_UNWRITABLE(`cannot write ${what} ${file}: ${why}`, { hint });
  };
  const info = await lstat(file).catch(() => undefined);
  if (info?.isDirectory()) refuse('it is a folder');
  if (info && !info.isFile() && !info.isSymbolicLink()) refuse('it is not a regular file');
  let dir = path.dirname(file);
  for (;;) {
    const d = await stat(dir).catch(() => undefined);
    if (d) {
      if (!d.isDirectory()) refuse(`${dir} is not a folder`);
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch {
    refuse(`folder ${dir} is not writable`);
  }
}

/** Whether two paths name one file, after following symlinks (of the file and of its folders). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  return (await realPathOf(a)) === (await realPathOf(b));
}

/** Whether `p` is `dir` or inside it, after following symlinks. */
export async function isInside(p: string, dir: string): Promise<boolean> {
  return isWithin(await realPathOf(dir), await realPathOf(p));
}
