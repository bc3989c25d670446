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

export function setRuntime(r: CliRuntime): void {
  runtime = r;
}

export function cli(): CliRuntime {
  if (!runtime) throw new Error('CLI runtime not initialised');
  return runtime;
}

/** Write a JSON document to stdout (for --json). */
export function printJson(value: unknown): void {
  cli().io.out(JSON.stringify(value, null, 2));
}
