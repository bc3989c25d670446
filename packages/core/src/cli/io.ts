/**
 * The CLI's only way to talk to the terminal. Core modules never print; commands format results
 * and hand text to these writers. Colour follows NO_COLOR / FORCE_COLOR and whether stdout is a TTY.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
  readonly isTTY: boolean;
  /** stderr is a terminal: progress may redraw a status line there (cli/progress.ts). */
  readonly errLive?: boolean;
  /** Write to stderr as is (no newline added), for that status line. */
  errRaw?(text: string): void;
}

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function processIo(): CliIo {
  // `mfinfra compile | head` closes the pipe early: stop quietly, as Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    color: colorEnabled(process.stderr),
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    errLive: Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb' && !process.env.CI,
    errRaw: (t) => process.stderr.write(t),
  };
}

// The styles live beside the renderers (preview/style.ts), which depend on nothing in cli/.
export { paint, type Style } from '../index.js';
