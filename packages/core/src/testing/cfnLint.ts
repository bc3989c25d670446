/**
 * Run cfn-lint over compiled templates. cfn-lint takes seconds to start, so lint every template a
 * test file compiles in one call. Check availability first with `cfnLintAvailable()`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CfnLintOptions {
  /** Region(s) to validate against (cfn-lint's own default, us-east-1, when not given). */
  region?: string;
}

interface Finding {
  Filename: string;
  Rule: { Id: string };
  Message: string;
  Location?: { Path?: (string | number)[] | null };
}

/**
 * Lint template bodies (JSON or YAML text, keyed by a name of your choice) in one cfn-lint run.
 * Returns every name's findings, errors and warnings, as `RULE message (path)` lines; a clean
 * template has `[]`, so `expect(await cfnLint(bodies)).toEqual(noFindings(bodies))` asserts all
 * are clean (and names the culprits when not). A finding cfn-lint reports about no given template is kept under the name `?`.
 * Throws when cfn-lint itself fails (not installed, crashed).
 */
export async function cfnLint(bodies: Record<string, string>, options: CfnLintOptions = {}): Promise<Record<string, string[]>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mfinfra-lint-'));
  try {
    // Files are numbered, not named after the keys: any string may be a key.
    const names = Object.keys(bodies);
    const files = names.map((_, i) => path.join(dir, `${i}.json`));
    await Promise.all(names.map((name, i) => writeFile(files[i]!, bodies[name]!)));
    const args = ['--format', 'json', ...(options.region ? ['--regions', options.region] : []), '--', ...files];
    let stdout: string;
    try {
      stdout = (await run('cfn-lint', args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
    } catch (e) {
      // Findings exit non-zero (2 errors, 4 warnings, 8 informational, or'd); they still print JSON.
      stdout = (e as { stdout?: string }).stdout ?? '';
      if (!stdout.trim().startsWith('[')) throw e;
    }
    const out: Record<string, string[]> = Object.fromEntries(names.map((name) => [name, []]));
    for (const f of JSON.parse(stdout.trim() || '[]') as Finding[]) {
      const i = files.indexOf(path.resolve(f.Filename));
      const where = f.Location?.Path?.length ? ` (${f.Location.Path.join('.')})` : '';
      (out[i >= 0 ? names[i]! : '?'] ??= []).push(`${f.Rule.Id} ${f.Message}${where}`);
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What {@link cfnLint} returns when every template is clean: each name with `[]`. */
export function noFindings(bodies: Record<string, unknown>): Record<string, string[]> {
  return Object.fromEntries(Object.keys(bodies).map((name) => [name, []]));
}

/**
 * Compile each variant and lint all their templates in one cfn-lint run: `findings` is what
 * {@link cfnLint} found, `expected` the all-clean result, so a test asserts
 * `expect(findings).toEqual(expected)` and a failure names the variant and the rule.
 * `bodyOf` turns one variant (a manifest, or whatever the test compiles) into its template body.
 */
export async function lintVariants<V>(
  variants: Readonly<Record<string, V>>,
  bodyOf: (variant: V, name: string) => Promise<string>,
  options: CfnLintOptions = {},
): Promise<{ findings: Record<string, string[]>; expected: Record<string, string[]> }> {
  const bodies: Record<string, string> = {};
  for (const [name, variant] of Object.entries(variants)) bodies[name] = await bodyOf(variant, name);
  return { findings: await cfnLint(bodies, options), expected: noFindings(bodies) };
}
