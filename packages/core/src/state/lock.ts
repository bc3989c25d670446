/**
 * One deploy of a stack at a time from this folder: `apply` and `destroy` hold
 * `.mfinfra/state/<stack>.lock` while they run (created exclusively; it names the process, the host
 * and when). A lock whose process is gone (same host) is stale and taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fail } from '../errors.js';
import { stateFilePath } from './localState.js';

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export function lockFilePath(manifestDir: string, stackName: string, environment?: string): string {
  return stateFilePath(manifestDir, stackName, environment).replace(/\.json$/, '.lock');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the stack's lock, or throw STACK_LOCKED naming who holds it. Returns the release function. */
export async function acquireStackLock(
  manifestDir: string,
  stackName: string,
  command: string,
  environment?: string,
): Promise<() => Promise<void>> {
  const file = lockFilePath(manifestDir, stackName, environment);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const { mkdir, rmdir } = await import('node:fs/promises');
      // Folders the lock makes are removed with it when nothing else was put there.
      const made = await mkdir(path.dirname(file), { recursive: true });
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(info) + '\n');
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(file, { force: true });
        if (!made) return;
        for (let dir = path.dirname(file); dir.length >= made.length; dir = path.dirname(dir)) {
          if (
            !(await rmdir(dir).then(
              () => true,
              () => false,
            ))
          )
            break;
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: Partial<LockInfo> = {};
      try {
        holder = JSON.parse(await readFile(file, 'utf8')) as LockInfo;
      } catch {
        // A lock being written right now, or garbage: treat it as held.
      }
      const stale = holder.host === info.host && typeof holder.pid === 'number' && !alive(holder.pid);
      if (stale && attempt === 0) {
        await rm(file, { force: true });
        continue;
      }
      throw fail.STACK_LOCKED(
        `another mfinfra ${holder.command ?? 'deploy'} of stack ${stackName} is running from this folder (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}, since ${holder.since ?? '?'})`,
        {
          hint: `wait for it to finish; if no mfinfra is running, delete ${file}`,
        },
      );
    }
  }
}

/** Run `work` while holding the stack's lock; the lock is released however `work` ends. */
export async function withStackLock<T>(
  manifestDir: string,
  stackName: string,
  command: string,
  work: () => Promise<T>,
  environment?: string,
): Promise<T> {
  const release = await acquireStackLock(manifestDir, stackName, command, environment);
  try {
    return await work();
  } finally {
    await release();
  }
}
