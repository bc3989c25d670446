import type { CfnTemplate } from '@mfinfra/core';

/**
 * Allow statements granting `*` or `service:*` on Resource `*`, and roles carrying a
 * `*FullAccess` managed policy, as `LogicalId: description` lines.
 */
export function broadIamGrants(template: CfnTemplate): string[] {
  const found: string[] = [];
  for (const [id, res] of Object.entries(template.Resources)) {
    const props = (res.Properties ?? {}) as Record<string, unknown>;
    const documents: unknown[] = [];
    if (res.Type === 'AWS::IAM::Role') {
      for (const p of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) documents.push(p.PolicyDocument);
      for (const arn of (props.ManagedPolicyArns as unknown[] | undefined) ?? []) {
        if (JSON.stringify(arn).includes('FullAccess')) found.push(`${id}: managed policy ${JSON.stringify(arn)}`);
      }
    }
    if (res.Type === 'AWS::IAM::Policy' || res.Type === 'AWS::IAM::ManagedPolicy') documents.push(props.PolicyDocument);
    for (const doc of documents) {
      for (const s of ((doc as { Statement?: unknown[] })?.Statement ?? []) as Record<string, unknown>[]) {
        if (s.Effect !== 'Allow') continue;
        const actions = ([] as unknown[]).concat(s.Action);
        const resources = ([] as unknown[]).concat(s.Resource);
        const broad = actions.filter((a) => a === '*' || (typeof a === 'string' && /^[a-z0-9-]+:\*$/i.test(a)));
        if (broad.length && resources.includes('*')) found.push(`${id}: ${broad.join(', ')} on *`);
      }
    }
  }
  return found;
}
