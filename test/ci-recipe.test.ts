/**
 * docs/ci.md's GitHub Actions workflow is a real one: it parses, plans on pull requests (Markdown in
 * the step summary and a PR comment) and applies on merge with an OIDC role, and every mfinfra
 * command and flag it uses exists (checked against the CLI's own --help, values against its choices).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../packages/core/test/helpers/editorSchema.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'packages/core/bin/mfinfra.js');
const run = promisify(execFile);
const doc = readFileSync(path.join(repo, 'docs/ci.md'), 'utf8');
const blocks = (lang: string) => [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  if?: string;
}
interface Job {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { pull_request?: unknown; push?: { branches?: string[] } };
  jobs: Record<string, Job>;
}

const workflow = parseYaml(blocks('yaml')[0]!) as Workflow;

/** Every `npx mfinfra …` invocation in the workflow's run steps, as argument lists (shell redirections and `||` cut off). */
function mfinfraCalls(): string[][] {
  const calls: string[][] = [];
  for (const job of Object.values(workflow.jobs)) {
    for (const step of job.steps) {
      for (const m of (step.run ?? '').matchAll(/npx mfinfra ([^\n|&;>]*)/g)) calls.push(m[1]!.trim().split(/\s+/));
    }
  }
  return calls;
}

describe('docs/ci.md', () => {
  it('has a workflow that parses, triggered by pull requests and by pushes to main', () => {
    expect(workflow.on.pull_request).toBeDefined();
    expect(workflow.on.push?.branches).toEqual(['main']);
    expect(Object.keys(workflow.jobs)).toEqual(['plan', 'apply']);
  });

  it('plans on pull requests with an OIDC role: Markdown into the step summary and a PR comment', () => {
    const plan = workflow.jobs.plan!;
    expect(plan.if).toContain("github.event_name == 'pull_request'");
    expect(plan.permissions).toMatchObject({ 'id-token': 'write', 'pull-requests': 'write' });
    expect(plan.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with?.['role-to-assume']).toBeTruthy();
    const planRun = plan.steps.find((s) => /npx mfinfra plan /.test(s.run ?? ''))!.run!;
    expect(planRun).toMatch(/--format markdown/);
    expect(planRun).toMatch(/> plan\.md/);
    expect(plan.steps.some((s) => /gh pr comment .*--body-file plan\.md/.test(s.run ?? ''))).toBe(true);
    // The step summary is written by mfinfra itself when $GITHUB_STEP_SUMMARY is set: the doc says so.
    expect(doc).toContain('$GITHUB_STEP_SUMMARY');
  });

  it('applies on merge to main with --yes, in a protected environment, with an OIDC role', () => {
    const apply = workflow.jobs.apply!;
    expect(apply.if).toContain("github.ref == 'refs/heads/main'");
    expect(apply.environment).toBe('production');
    expect(apply.permissions).toMatchObject({ 'id-token': 'write' });
    expect(apply.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with?.['role-to-assume']).toBeTruthy();
    expect(apply.steps.some((s) => /npx mfinfra apply .*--yes/.test(s.run ?? ''))).toBe(true);
  });

  it('uses only mfinfra commands and flags that exist, with values they accept', async () => {
    const calls = mfinfraCalls();
    expect(calls.map((c) => c[0])).toEqual(['validate', 'plan', 'apply']);
    for (const [command, ...args] of calls) {
      // The built CLI, as the workflow runs it (help exits 0; an unknown command would exit 2).
      const help = await run(process.execPath, [bin, command!, '--help'], { env: { ...process.env, NO_COLOR: '1' } });
      expect(help.stdout).toContain(`mfinfra ${command} [manifest]`);
      for (const [i, arg] of args.entries()) {
        if (!arg.startsWith('-')) continue;
        const flag = arg.split('=')[0]!;
        expect(help.stdout, `mfinfra ${command} has ${flag}`).toMatch(new RegExp(`(^|\\s|, )${flag}\\b`, 'm'));
        const value = arg.includes('=') ? arg.split('=')[1] : args[i + 1];
        const choices = new RegExp(`${flag}\\b[\\s\\S]*?\\[choices: ([^\\]]*)\\]`).exec(help.stdout)?.[1];
        if (choices && value && !value.startsWith('-')) expect(choices, `${flag} ${value}`).toContain(`"${value}"`);
      }
    }
  });

  it('shows IAM trust policies that parse', () => {
    const policies = blocks('json').map((b) => JSON.parse(b) as { Statement: { Action: string }[] });
    expect(policies.length).toBeGreaterThan(0);
    expect(policies[0]!.Statement[0]!.Action).toBe('sts:AssumeRoleWithWebIdentity');
  });
});
