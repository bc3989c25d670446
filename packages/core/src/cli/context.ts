import assert from 'node:assert';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CliIo } from './io.js';

/** Options every command accepts. */
export interface GlobalArgs {
  debug: boolean;
  json: boolean;
  cwd?: string;
  /** The environment (`environments:` overlay) to work on. */
  env?: string;
}

/** What a command handler gets besides its arguments; set by main() before parsing. */
export interface CliRuntime {
  io: CliIo;
  /** Set the process exit code for this run. */
  setExitCode(code: number): void;
}

let runtime: CliRuntime | undefined;
/** A runtime for one part of a run (one environment of `plan --all-envs`), set with {@link withRuntime}. */
const scoped = new AsyncLocalStorage<CliRuntime>();

export function setRuntime(r: CliRuntime): void {
  runtime = r;
}

export function cli(): CliRuntime {
  const r = scoped.getStore() ?? runtime;
  assert.ok(r, 'CLI runtime not initialised');
  return r;
}

/** Run `fn` with its own runtime (its own output and exit code), e.g. one of several concurrent plans. */
export function withRuntime<T>(r: CliRuntime, fn: () => Promise<T>): Promise<T> {
  return scoped.run(r, fn);
}

/** Write a JSON document to stdout (for --json). */
export function printJson(value: unknown): void {
  cli().io.out(JSON.stringify(value, null, 2));
}
