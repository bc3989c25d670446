/**
 * Helpers for plugins that reuse existing AWS resources (`existing:` sections): reading ARNs, and
 * judging what a live lookup found (a role's trust policy). Pure functions: no AWS SDK here; each
 * plugin makes its own calls in its `verify` hook and hands the answers to these.
 */
import { undefinedIfNotFound } from './existing.js';

/** The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Split an ARN into its parts, or `undefined` when it is not one. */
export function parseArn(arn: string): ArnParts | undefined {
  const m = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):([0-9]{12}|aws)?:(.+)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4] ?? '', resource: m[5]! };
}

/** An IAM role ARN, with or without a path: `arn:aws:iam::123456789012:role/[path/]name`. */
export const ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::[0-9]{12}:role/([\\x21-\\x7e]*/)?[\\w+=,.@-]{1,64}$';

/** The schema of a manifest key that names an existing IAM role by ARN (say in `description` what the role must trust). */
export function roleArnSchema(description: string): { type: 'string'; maxLength: number; pattern: string; description: string } {
  return { type: 'string', maxLength: 2048, pattern: ROLE_ARN_PATTERN, description };
}

/** The role's name (the last segment of its ARN; GetRole takes the name, not the path). */
export function roleNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

interface TrustStatement {
  Effect?: string;
  Action?: string | string[];
  Principal?: string | { Service?: string | string[] };
}

/**
 * The services a role's trust policy lets assume it (`Principal.Service` of each Allow statement
 * with `sts:AssumeRole`). Takes the document as IAM returns it (URL-encoded JSON) or parsed.
 */
export function trustedServices(document: string | object | undefined): string[] {
  if (document === undefined) return [];
  let doc: { Statement?: TrustStatement | TrustStatement[] };
  try {
    doc = typeof document === 'string' ? JSON.parse(decodeURIComponent(document)) : (document as typeof doc);
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const s of [doc.Statement ?? []].flat()) {
    if (s.Effect !== 'Allow') continue;
    const actions = [s.Action ?? []].flat();
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) continue;
    if (!s.Principal || typeof s.Principal === 'string') continue;
    for (const service of [s.Principal.Service ?? []].flat()) out.add(service);
  }
  return [...out].sort();
}

/** What GetRole found, as much as a role check needs. */
export interface FoundRole {
  Arn?: string;
  AssumeRolePolicyDocument?: string;
}

/**
 * Why a role found by GetRole does not fit, or `undefined` when it does: its ARN must be the one
 * the manifest gives (same account and path) and its trust policy must let `service` assume it.
 */
export function roleProblem(expectedArn: string, role: FoundRole, service: string): string | undefined {
  if (role.Arn && role.Arn !== expectedArn) return `role ${roleNameFromArn(expectedArn)} exists as ${role.Arn}, not ${expectedArn}`;
  const trusted = trustedServices(role.AssumeRolePolicyDocument);
  if (trusted.includes(service)) return undefined;
  return `role ${expectedArn} does not trust ${service}: its trust policy lets ${trusted.length ? trusted.join(', ') : 'no AWS service'} assume it`;
}

/** GetRole's answer, or `undefined` when IAM says the role does not exist (any other failure is thrown). */
export async function roleOrUndefined(getRole: () => Promise<{ Role?: FoundRole }>): Promise<FoundRole | undefined> {
  return (await undefinedIfNotFound('NoSuchEntityException', getRole))?.Role;
}

/** One existing role to judge: its ARN and manifest position, the service that must trust it, the codes to report. */
export interface ExistingRoleCheck {
  arn: string;
  path: string[];
  service: string;
  notFoundCode: string;
  wrongTrustCode: string;
  /** The hint when the trust policy is wrong (say what the role is for). */
  trustHint: string;
}

/**
 * Report what is wrong with an existing role (nothing when it fits): `found` is what
 * {@link roleOrUndefined} returned. The messages are the same for every plugin that reuses roles.
 */
export function reportRole(
  ctx: { report(message: string, options: { path: string[]; code: string; hint: string }): void },
  check: ExistingRoleCheck,
  found: FoundRole | undefined,
): void {
  if (!found) {
    ctx.report(`role ${check.arn} does not exist`, {
      path: check.path,
      code: check.notFoundCode,
      hint: 'check the ARN (aws iam get-role --role-name <name>) and the account of the credentials in use',
    });
    return;
  }
  const problem = roleProblem(check.arn, found, check.service);
  if (problem) ctx.report(problem, { path: check.path, code: check.wrongTrustCode, hint: check.trustHint });
}
