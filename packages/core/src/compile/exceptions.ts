/**
 * Deliberate exceptions to scanners' rules, written on the resource they concern, each with its
 * reason, in the conventions the scanners read: cdk-nag's `Metadata.cdk_nag.rules_to_suppress`
 * (`id`, `reason`, optional `applies_to` for granular findings such as
 * `AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]`) and checkov's `Metadata.checkov.skip` (`id`,
 * `comment`). The preview's security table lists them.
 */
import type { CfnValue } from '../plugin.js';

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
 * How cdk-nag prints a value in a granular finding: `{"Fn::Sub": "${B.Arn}/*"}` → `<B.Arn>/*`,
 * `{"Fn::GetAtt": ["B", "Arn"]}` → `<B.Arn>`, `{"Ref": "B"}` → `<B>`; plain strings as they are.
 */
export function nagValue(value: CfnValue): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.Ref === 'string') return `<${value.Ref}>`;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') return sub.replace(/\$\{([^}!][^}]*)\}/g, '<$1>');
  }
  return JSON.stringify(value);
}
