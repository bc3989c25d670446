/**
 * The team's policy for tests that need a preinstalled peer tool (cfn-lint, moto): when the tool is
 * missing, CI fails (a check that silently skips proves nothing) and a developer's machine skips
 * with one line saying how to install it.
 *
 * ```ts
 * it.skipIf(!cfnLintAvailable())('passes cfn-lint', async () => { ... });
 * ```
 */
import assert from 'node:assert';
import { spawnSync } from 'node:child_process';

export interface PeerOptions {
  /** What to call the tool in the message (default: the command). */
  name?: string;
  /** Arguments of a quick command that succeeds when the tool works (default `--version`). */
  args?: string[];
  /** How to install it, shown in the message (default `pip install <command>`). */
  install?: string;
}

const known = new Map<string, boolean>();

/**
 * Whether `command` runs here. Missing: throws when `CI` is set; otherwise prints one
 * `console.warn` line with the install hint and returns false. Checked once per command line and
 * process. E.g. moto:
 * `peerAvailable('python3', { name: 'moto', args: ['-c', 'import moto.server'], install: 'pip install "moto[server]"' })`.
 */
export function peerAvailable(command: string, options: PeerOptions = {}): boolean {
  const args = options.args ?? ['--version'];
  const key = JSON.stringify([command, ...args]);
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  const ok = spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  if (!ok) {
    const name = options.name ?? command;
    const install = options.install ?? `pip install ${name}`;
    if (process.env.CI) assert.fail(`${name} is required in CI but was not found (${install})`);
    // The test runner's output is where a skipped check must be visible (tests only, never the CLI).
    // eslint-disable-next-line no-console
    console.warn(`skipping tests that need ${name}: not found (${install})`);
  }
  known.set(key, ok);
  return ok;
}

/** {@link peerAvailable} for cfn-lint. */
export function cfnLintAvailable(): boolean {
  return peerAvailable('cfn-lint', { install: 'pip install cfn-lint' });
}
