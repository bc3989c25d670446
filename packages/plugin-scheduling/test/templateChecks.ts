/** Checks every compiled template must pass: cfn-lint and the team's security rules. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown }>;
};

const lintVersion = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
/** Whether cfn-lint is installed (CI must have it). */
export const hasCfnLint = lintVersion.status === 0;
if (!hasCfnLint) {
  if (process.env.CI) throw new Error('cfn-lint is required in CI (pip install cfn-lint)');
  console.warn('cfn-lint not found: skipping template lint tests (pip install cfn-lint)');
}

/**
 * cfn-lint findings (errors and warnings) for several templates in one run (cfn-lint takes seconds
 * to start), as `name: RULE message (path)` lines; [] when all are clean.
 */
export function cfnLint(bodies: Record<string, string>, region = 'us-west-2'): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfinfra-lint-'));
  try {
    const files = Object.entries(bodies).map(([name, body], i) => {
      const file = path.join(dir, `${i}.json`);
      writeFileSync(file, body);
      return [file, name] as const;
    });
    const nameOf = new Map(files);
    const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', region, '--', ...nameOf.keys()], { encoding: 'utf8' });
    if (run.status !== 0 && !run.stdout.trim().startsWith('[')) throw new Error(`cfn-lint failed: ${run.stderr}`);
    const findings = JSON.parse(run.stdout || '[]') as {
      Filename: string;
      Rule: { Id: string };
      Message: string;
      Location: { Path: (string | number)[] };
    }[];
    return findings.map((f) => `${nameOf.get(f.Filename) ?? f.Filename}: ${f.Rule.Id} ${f.Message} (${f.Location.Path.join('.')})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface IamStatement {
  where: string;
  Effect: string;
  Action: string[];
  Resource: Json[];
}

/** Every statement of every identity policy in the template (inline role policies and AWS::IAM::Policy). */
export function iamStatements(template: Template): IamStatement[] {
  const out: IamStatement[] = [];
  const add = (where: string, doc: unknown) => {
    const stmts = (doc as { Statement?: unknown } | undefined)?.Statement;
    for (const s of (Array.isArray(stmts) ? stmts : [stmts]) as Record<string, Json>[]) {
      if (!s) continue;
      const arr = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
      out.push({ where, Effect: String(s.Effect), Action: arr(s.Action).map(String), Resource: arr(s.Resource) });
    }
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::IAM::Role') {
      for (const p of (r.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) add(id, p.PolicyDocument);
      if (r.Properties?.ManagedPolicyArns)
        out.push({ where: id, Effect: 'Allow', Action: ['(managed policies)'], Resource: r.Properties.ManagedPolicyArns as Json[] });
    }
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') add(id, r.Properties?.PolicyDocument);
  }
  return out;
}

/** Allow statements that break the rules: `*` or `service:*` actions, FullAccess managed policies. */
export function iamViolations(template: Template): string[] {
  const bad: string[] = [];
  for (const s of iamStatements(template)) {
    if (s.Effect !== 'Allow') continue;
    for (const a of s.Action) {
      if (a === '*' || /^[a-z0-9-]+:\*$/.test(a)) bad.push(`${s.where}: action ${a}`);
    }
    for (const r of s.Resource) if (JSON.stringify(r).includes('FullAccess')) bad.push(`${s.where}: ${JSON.stringify(r)}`);
  }
  return bad;
}

/** Allowed actions granted on Resource "*" (each must be one AWS offers no resource scoping for). */
export function actionsOnAnyResource(template: Template): string[] {
  return [
    ...new Set(
      iamStatements(template)
        .filter((s) => s.Effect === 'Allow' && s.Resource.includes('*'))
        .flatMap((s) => s.Action),
    ),
  ].sort();
}

/** Security group ingress rules open to the whole internet. */
export function openIngress(template: Template): string[] {
  const bad: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const rules =
      r.Type === 'AWS::EC2::SecurityGroup'
        ? ((r.Properties?.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? [])
        : r.Type === 'AWS::EC2::SecurityGroupIngress'
          ? [r.Properties ?? {}]
          : [];
    for (const rule of rules) if (rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0') bad.push(id);
  }
  return bad;
}
