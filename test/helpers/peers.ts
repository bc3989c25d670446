import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Whether a preinstalled peer tool (cfn-lint, moto) is available. In CI a missing peer is a failure;
 * elsewhere tests skip with a one-line message saying how to install it.
 */
export function peerAvailable(command: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  const ok = r.status === 0;
  if (!ok) {
    const msg = `${command} is not installed: install it with pip install cfn-lint "moto[server]"`;
    if (process.env.CI) throw new Error(`${msg} (required in CI)`);
    console.warn(`skipping: ${msg}`);
  }
  return ok;
}

export interface CfnLintFinding {
  Rule: { Id: string };
  Message: string;
  Filename: string;
  Level: string;
  Location: { Path?: (string | number)[] };
}

/** Run cfn-lint once over several template files; returns every finding (errors, warnings, info). */
export async function cfnLint(files: string[]): Promise<CfnLintFinding[]> {
  try {
    const { stdout } = await run('cfn-lint', ['--format', 'json', '--', ...files], { maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim() ? (JSON.parse(stdout) as CfnLintFinding[]) : [];
  } catch (e) {
    const stdout = (e as { stdout?: string }).stdout;
    if (stdout && stdout.trim().startsWith('[')) return JSON.parse(stdout) as CfnLintFinding[];
    throw e;
  }
}
