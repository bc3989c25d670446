import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

/** Run the CLI in-process and capture what it prints. */
export async function runCli(args: string[], options: { isTTY?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (t) => (stdout += t.endsWith('\n') ? t : t + '\n'),
    err: (t) => (stderr += t.endsWith('\n') ? t : t + '\n'),
    color: false,
    isTTY: options.isTTY ?? false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
