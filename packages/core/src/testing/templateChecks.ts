/**
 * The security promises every compiled template must keep, as checks that list what breaks them
 * (so `expect(check(template)).toEqual([])` shows the culprits when it fails):
 *
 * - {@link iamViolations}: no `Action: "*"`, no `service:*`, no `*FullAccess` managed policy;
 * - {@link actionsOnAnyResource}: what is granted on `Resource: "*"` (assert it is only actions
 *   AWS offers no resource scoping for);
 * - {@link openIngress}: no security group open to the whole internet.
 */

/** The part of a CloudFormation template these checks read. */
export interface TemplateLike {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** One statement of an identity policy, with Action and Resource always lists. */
export interface IamStatement {
  /** Logical id of the resource holding the policy. */
  where: string;
  Effect: string;
  Action: string[];
  Resource: unknown[];
}

const IDENTITIES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);
const POLICIES = new Set(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Every statement of every identity policy in the template: inline policies of roles, users and
 * groups, and `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` documents. A resource's
 * `ManagedPolicyArns` appear as one Allow statement with Action `(managed policies)` and the ARNs
 * as its Resource.
 */
export function iamStatements(template: TemplateLike): IamStatement[] {
  const out: IamStatement[] = [];
  const add = (where: string, doc: unknown) => {
    for (const s of list((doc as { Statement?: unknown } | undefined)?.Statement) as Record<string, unknown>[]) {
      if (s) out.push({ where, Effect: String(s.Effect), Action: list(s.Action).map(String), Resource: list(s.Resource) });
    }
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    const props = r.Properties ?? {};
    if (IDENTITIES.has(r.Type))
      for (const p of (props.Policies as { PolicyDocument?: unknown }[] | undefined) ?? []) add(id, p.PolicyDocument);
    if (props.ManagedPolicyArns !== undefined) {
      out.push({ where: id, Effect: 'Allow', Action: ['(managed policies)'], Resource: list(props.ManagedPolicyArns) });
    }
    if (POLICIES.has(r.Type)) add(id, props.PolicyDocument);
  }
  return out;
}

/**
 * Allow statements that break least privilege, as `LogicalId: what` lines: an action `*` or
 * `service:*` (on any resource), or a `*FullAccess` managed policy. Deny statements are fine.
 */
export function iamViolations(template: TemplateLike): string[] {
  const bad: string[] = [];
  for (const s of iamStatements(template)) {
    if (s.Effect !== 'Allow') continue;
    for (const a of s.Action) if (a === '*' || /^[a-z0-9-]+:\*$/i.test(a)) bad.push(`${s.where}: action ${a}`);
    for (const r of s.Resource) if (JSON.stringify(r).includes('FullAccess')) bad.push(`${s.where}: ${JSON.stringify(r)}`);
  }
  return bad;
}

/** The actions Allowed on `Resource: "*"`, sorted, each once. */
export function actionsOnAnyResource(template: TemplateLike): string[] {
  const actions = iamStatements(template)
    .filter((s) => s.Effect === 'Allow' && s.Resource.includes('*'))
    .flatMap((s) => s.Action);
  return [...new Set(actions)].sort();
}

/**
 * Logical ids of security groups (inline `SecurityGroupIngress`) and `AWS::EC2::SecurityGroupIngress`
 * rules that let in the whole internet (`0.0.0.0/0` or `::/0`), once per offending rule.
 */
export function openIngress(template: TemplateLike): string[] {
  const bad: string[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const rules =
      r.Type === 'AWS::EC2::SecurityGroup'
        ? (list(r.Properties?.SecurityGroupIngress) as Record<string, unknown>[])
        : r.Type === 'AWS::EC2::SecurityGroupIngress'
          ? [r.Properties ?? {}]
          : [];
    for (const rule of rules) if (rule?.CidrIp === '0.0.0.0/0' || rule?.CidrIpv6 === '::/0') bad.push(id);
  }
  return bad;
}
