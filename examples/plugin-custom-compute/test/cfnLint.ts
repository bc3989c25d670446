import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether cfn-lint is on PATH. In CI a missing cfn-lint is a failure, elsewhere tests skip. */
export async function hasCfnLint(): Promise<boolean> {
  const found = await run('cfn-lint', ['--version']).then(
    () => true,
    () => false,
  );
  if (!found && process.env.CI) throw new Error('cfn-lint is required in CI (pip install cfn-lint)');
  if (!found) console.warn('skipping cfn-lint checks: cfn-lint not found (pip install cfn-lint)');
  return found;
}

/** cfn-lint findings (errors and warnings) for a template body; [] when clean. */
export async function cfnLint(body: string): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gpu-compute-lint-'));
  try {
    const file = path.join(dir, 'template.json');
    await writeFile(file, body);
    const result = await run('cfn-lint', ['--format', 'parseable', file]).then(
      (r) => r.stdout,
      (e: { stdout?: string }) => e.stdout ?? String(e),
    );
    return result
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(file, 'template.json'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
