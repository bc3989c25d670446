/**
 * Local state: the template applied last to each stack, kept beside the manifest in
 * `.mfinfra/state/<stack>.json` (git-ignored); an environment's in `.mfinfra/state/<env>/<stack>.json`,
 * so two environments never share a state file, even when their stacks have the same name. `apply` writes it after a successful deploy;
 * `plan --offline` compares the new template with it. Written atomically: a crash leaves the old
 * file or the new one.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fail } from '../errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';

export interface AppliedState {
  template: object;
  /** ISO 8601 time of the apply. */
  appliedAt: string;
}

interface StateFile extends AppliedState {
  version: 1;
  stackName: string;
  environment?: string;
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

const ENVIRONMENT = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Where the state of a stack (of an environment, when given) lives. */
export function stateFilePath(manifestDir: string, stackName: string, environment?: string): string {
  if (!STACK_NAME.test(stackName)) {
    throw fail.MANIFEST_INVALID(`invalid stack name "${stackName}" for the local state file`, {
      hint: 'a stack name starts with a letter and has only letters, digits and hyphens (at most 128)',
    });
  }
  if (environment !== undefined) {
    if (!ENVIRONMENT.test(environment)) {
      throw fail.ENVIRONMENT_INVALID(`invalid environment name "${environment}" for the local state file`, {
        hint: 'an environment name has letters, digits, _ and -, starting with a letter, at most 64 characters',
      });
    }
    return path.join(manifestDir, '.mfinfra', 'state', environment, `${stackName}.json`);
  }
  return path.join(manifestDir, '.mfinfra', 'state', `${stackName}.json`);
}

export async function readAppliedState(manifestDir: string, stackName: string, environment?: string): Promise<AppliedState | undefined> {
  const file = stateFilePath(manifestDir, stackName, environment);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fail.FILE_UNREADABLE(`cannot read the local state ${file}: ${(e as Error).message}`, {
      hint: 'check its permissions',
      kind: 'runtime',
      cause: e,
    });
  }
  let data: Partial<StateFile>;
  try {
    data = JSON.parse(text) as Partial<StateFile>;
  } catch (e) {
    throw fail.FILE_UNREADABLE(`the local state ${file} is not valid JSON: ${(e as Error).message}`, {
      hint: 'delete it to plan from scratch (everything shows as an addition), or compare with a template file using --against',
      kind: 'runtime',
      cause: e,
    });
  }
  if (!data || typeof data.template !== 'object' || data.template === null || typeof data.appliedAt !== 'string') {
    throw fail.FILE_UNREADABLE(`the local state ${file} has no "template" object or "appliedAt" time`, {
      hint: 'delete it to plan from scratch (everything shows as an addition), or compare with a template file using --against',
      kind: 'runtime',
    });
  }
  return { template: data.template, appliedAt: data.appliedAt };
}

/** Record `template` as applied to `stackName` now. Call only after a successful apply. */
export async function writeAppliedState(manifestDir: string, stackName: string, template: object, environment?: string): Promise<void> {
  const file = stateFilePath(manifestDir, stackName, environment);
  const data: StateFile = {
    version: 1,
    stackName,
    ...(environment !== undefined ? { environment } : {}),
    appliedAt: new Date().toISOString(),
    template,
  };
  await writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n', { createDirs: true });
}

/** Forget what was applied to `stackName` (its stack is gone): the file removed, or `undefined` when there was none. */
export async function removeAppliedState(manifestDir: string, stackName: string, environment?: string): Promise<string | undefined> {
  const file = stateFilePath(manifestDir, stackName, environment);
  if (!existsSync(file)) return undefined;
  await rm(file, { force: true });
  return file;
}
