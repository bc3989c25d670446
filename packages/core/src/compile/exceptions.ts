/**
 * Deliberate exceptions to scanners' rules, written on the resource they concern, each with its
 * reason, in the conventions the scanners read: cdk-nag's `Metadata.cdk_nag.rules_to_suppress`
 * (`id`, `reason`, optional `applies_to` for granular findings such as
 * `AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]`) and checkov's `Metadata.checkov.skip` (`id`,
 * `comment`). The preview's security table lists them.
 */
import type { CfnValue } from './cfnTypes.js';

export interface ScannerException {
  /** A cdk-nag rule id (`AwsSolutions-IAM5`) or a checkov check id (`CKV_AWS_18`). */
  id: string;
  /** Why the exception is deliberate: what a reviewer needs to accept it. */
  reason: string;
  /** cdk-nag only: the granular findings it covers (e.g. `Resource::<DatastoreBucket.Arn>/*`); all when absent. */
  appliesTo?: string[];
}

/** The `Metadata` entries for a resource's exceptions (`CKV_*` ids go to checkov, the rest to cdk-nag). */
export function scannerExceptions(...exceptions: ScannerException[]): { [key: string]: CfnValue } {
  const checkov = exceptions.filter((e) => e.id.startsWith('CKV')).map((e) => ({ id: e.id, comment: e.reason }));
  const nag = exceptions
    .filter((e) => !e.id.startsWith('CKV'))
    .map((e) => ({ id: e.id, reason: e.reason, ...(e.appliesTo?.length ? { applies_to: [...e.appliesTo] } : {}) }));
  return {
    ...(nag.length ? { cdk_nag: { rules_to_suppress: nag } } : {}),
    ...(checkov.length ? { checkov: { skip: checkov } } : {}),
  };
}

/**
 * How cdk-nag prints a value in a granular finding (its `flattenCfnReference`): `{"Fn::Sub": "${B.Arn}/*"}`
 * → `<B.Arn>/*`, `{"Fn::GetAtt": ["B", "Arn"]}` → `<B.Arn>`, `{"Ref": "B"}` → `<B>`, `Fn::Join` joined;
 * plain strings as they are, anything else as JSON (a `Fn::Sub` with a variable map is printed as its
 * JSON array: spell it `${B.Arn}/*` when the finding should read well).
 */
export function nagValue(value: CfnValue): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.Ref === 'string') return `<${value.Ref}>`;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map((v) => nagValue(v)).join('.')}>`;
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map((v) => nagValue(v)).join(join[0]);
    if (value['Fn::Sub'] !== undefined) return nagValue(value['Fn::Sub']);
    if (value['Fn::ImportValue'] !== undefined) return nagValue(value['Fn::ImportValue']);
  }
  return JSON.stringify(value);
}

/** An IAM statement as far as wildcard findings go. */
interface StatementLike {
  Effect?: CfnValue;
  Action?: CfnValue;
  Resource?: CfnValue;
}

/**
 * What cdk-nag's AwsSolutions-IAM5 names for these statements' wildcards (`Action::s3:*`,
 * `Resource::<B.Arn>/*`), sorted: the `appliesTo` of a suppression that covers exactly them, so a new
 * wildcard is a new finding instead of riding on an old reason. Deny statements are not findings.
 */
export function wildcardFindings(statements: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const statement of statements) {
    if (statement === null || typeof statement !== 'object') continue;
    const s = statement as StatementLike;
    if (s.Effect !== 'Allow') continue;
    for (const a of [s.Action ?? []].flat()) if (typeof a === 'string' && a.includes('*')) out.add(`Action::${a}`);
    for (const r of [s.Resource ?? []].flat()) {
      const name = nagValue(r as CfnValue);
      if (name.includes('*')) out.add(`Resource::${name}`);
    }
  }
  return [...out].sort();
}

/**
 * The `Metadata` that explains a role's wildcard grants to cdk-nag: one AwsSolutions-IAM5 exception
 * with `reason`, covering exactly the findings of `statements` ({@link wildcardFindings}), or
 * `undefined` when they have none, so a role never carries a blanket IAM5 suppression.
 */
export function wildcardException(statements: readonly unknown[], reason: string): { [key: string]: CfnValue } | undefined {
  const findings = wildcardFindings(statements);
  return findings.length ? scannerExceptions({ id: 'AwsSolutions-IAM5', reason, appliesTo: findings }) : undefined;
}
