/**
 * Glue over `@aws-cdk/cloudformation-diff`: run its diff, and turn its security tables and changes
 * outside Resources into the preview model. The library (CommonJS, with the CloudFormation resource
 * spec behind it) is required on the first diff, not when this module is imported, so importing
 * `@mfinfra/core` or the preview modules stays cheap.
 */
import { createRequire } from 'node:module';
import type { DescribeChangeSetOutput } from '@aws-sdk/client-cloudformation';
import type { OtherChange, PreviewModel, PreviewSummary, ResourceChange, SecurityChange } from './model.js';

type CfnDiffLibrary = typeof import('@aws-cdk/cloudformation-diff');
export type TemplateDiff = ReturnType<CfnDiffLibrary['fullDiff']>;
export type Template = { [key: string]: any };

let library: CfnDiffLibrary | undefined;
function cfnDiff(): CfnDiffLibrary {
  library ??= createRequire(import.meta.url)('@aws-cdk/cloudformation-diff') as CfnDiffLibrary;
  return library;
}

/** cloudformation-diff's diff; `changeSet` refines replacement from CloudFormation's Details. */
export function diffTemplates(oldTemplate: Template, newTemplate: Template, changeSet?: DescribeChangeSetOutput): TemplateDiff {
  return cfnDiff().fullDiff(oldTemplate, newTemplate, changeSet);
}

/** True for `{ Ref: x }`, `{ 'Fn::GetAtt': ... }` and other one-key intrinsic objects. */
export function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
}

/** `{"Fn::Sub":"${B.Arn}/*"}` → `${B.Arn}/*`, `{"Ref":"X"}` → `${X}`: how security tables show values. */
export function prettyValue(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return text;
  try {
    return renderIntrinsic(JSON.parse(trimmed));
  } catch {
    return text;
  }
}

function renderIntrinsic(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(renderIntrinsic).join(', ');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') return `\${${o.Ref}}`;
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `\${${getAtt.join('.')}}`;
    if (typeof getAtt === 'string') return `\${${getAtt}}`;
    const sub = o['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
    const join = o['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(renderIntrinsic).join(join[0]);
  }
  return JSON.stringify(v);
}

function splitCell(cell: string): string[] {
  return cell
    .split('\n')
    .map((s) => prettyValue(s))
    .filter((s) => s !== '');
}

type Statement = TemplateDiff['iamChanges']['statements']['additions'][number];
type Targets = Statement['actions'];

function sameTargets(a: Targets, b: Targets): boolean {
  return a.not === b.not && JSON.stringify([...a.values].sort()) === JSON.stringify([...b.values].sort());
}

/**
 * An added Allow statement that only narrows a removed one (same resources, principals and
 * condition; actions a subset) does not broaden access, although cloudformation-diff counts every
 * added Allow as broadening. This keeps "remove an action" from asking for approval.
 */
function narrows(added: Statement, removed: Statement[]): boolean {
  if (added.effect !== 'Allow' || added.isNegativeStatement || added.actions.not) return false;
  return removed.some(
    (r) =>
      r.effect === 'Allow' &&
      !r.isNegativeStatement &&
      !r.actions.not &&
      sameTargets(r.resources, added.resources) &&
      sameTargets(r.principals, added.principals) &&
      JSON.stringify(r.condition) === JSON.stringify(added.condition) &&
      added.actions.values.every((a) => r.actions.values.includes(a)),
  );
}

type SecurityGroupRule = TemplateDiff['securityGroupChanges']['egress']['additions'][number];

/**
 * The rule that lets nothing through (ICMP type 252 code 86 to 255.255.255.255/32): added to remove a
 * security group's default allow-all egress. Adding it narrows access.
 */
function isNoTrafficRule(rule: SecurityGroupRule): boolean {
  return (
    (rule.ipProtocol === 'icmp' || rule.ipProtocol === '1') &&
    rule.fromPort === 252 &&
    rule.toPort === 86 &&
    rule.peer?.kind === 'cidr-ip' &&
    rule.peer.ip === '255.255.255.255/32'
  );
}

/** IAM statements, managed policies and security-group rules added or removed. */
export function securityChanges(diff: TemplateDiff): SecurityChange[] {
  const out: SecurityChange[] = [];
  const iam = diff.iamChanges;
  const removedStatements = iam.statements.removals;
  const statements = [
    ...iam.statements.additions.map((s) => ['add', s] as const),
    ...iam.statements.removals.map((s) => ['remove', s] as const),
  ];
  for (const [change, s] of statements) {
    const r = s.render();
    out.push({
      kind: 'iam-statement',
      change,
      broadens: change === 'add' ? !s.isNegativeStatement && !narrows(s, removedStatements) : s.isNegativeStatement,
      effect: r.effect,
      resources: splitCell(r.resource),
      actions: splitCell(r.action),
      principals: splitCell(r.principal),
      ...(s.condition !== undefined ? { condition: s.condition } : {}),
    });
  }
  for (const [change, list] of [
    ['add', iam.managedPolicies.additions],
    ['remove', iam.managedPolicies.removals],
  ] as const) {
    for (const p of list) {
      out.push({
        kind: 'managed-policy',
        change,
        broadens: change === 'add',
        identity: prettyValue(p.identityArn),
        policy: prettyValue(p.managedPolicyArn),
      });
    }
  }
  const sg = diff.securityGroupChanges;
  for (const [direction, coll] of [
    ['ingress', sg.ingress],
    ['egress', sg.egress],
  ] as const) {
    for (const [change, list] of [
      ['add', coll.additions],
      ['remove', coll.removals],
    ] as const) {
      for (const rule of list) {
        const none = isNoTrafficRule(rule);
        out.push({
          kind: 'security-group-rule',
          change,
          broadens: change === 'add' && !none,
          group: prettyValue(rule.groupId),
          direction,
          protocol: none ? 'no traffic (replaces the default allow-all egress)' : rule.describeProtocol(),
          peer: prettyValue(rule.describePeer()),
        });
      }
    }
  }
  return out;
}

/** Changes outside Resources. The template's own Metadata (mfinfra's bookkeeping) is left out. */
export function otherChanges(diff: TemplateDiff): OtherChange[] {
  const out: OtherChange[] = [];
  const sections = [
    ['Parameters', diff.parameters],
    ['Conditions', diff.conditions],
    ['Mappings', diff.mappings],
    ['Outputs', diff.outputs],
  ] as const;
  for (const [section, coll] of sections) {
    for (const [name, d] of Object.entries(coll.changes)) {
      if (!d?.isDifferent) continue;
      out.push({ section, name, change: d.isAddition ? 'add' : d.isRemoval ? 'remove' : 'modify' });
    }
  }
  for (const [name, d] of [
    ['Description', diff.description],
    ['Transform', diff.transform],
  ] as const) {
    if (d?.isDifferent) out.push({ section: 'Template', name, change: d.isAddition ? 'add' : d.isRemoval ? 'remove' : 'modify' });
  }
  return out;
}

const ACTION_ORDER = { remove: 0, modify: 1, import: 2, add: 3 } as const;

/** Owner of each logical id: explicit map first, then the new template's metadata, then the old one's. */
export function ownersFrom(
  resourceOwners: Record<string, string> | undefined,
  ...templates: (Template | undefined)[]
): Record<string, string> {
  const owners: Record<string, string> = {};
  for (const t of [...templates].reverse()) Object.assign(owners, t?.Metadata?.mfinfra?.resources ?? {});
  return Object.assign(owners, resourceOwners ?? {});
}

/** Sort changes (by owner, unowned last, then logical id), count them and finish the model. */
export function finishModel(
  base: Pick<PreviewModel, 'source' | 'stackName' | 'notes'> & Partial<Pick<PreviewModel, 'firstRun' | 'comparedWith'>>,
  changes: ResourceChange[],
  security: SecurityChange[],
  other: OtherChange[],
): PreviewModel {
  const sorted = [...changes].sort(
    (a, b) =>
      (a.owner === undefined ? 1 : 0) - (b.owner === undefined ? 1 : 0) ||
      (a.owner ?? '').localeCompare(b.owner ?? '') ||
      a.logicalId.localeCompare(b.logicalId) ||
      ACTION_ORDER[a.action] - ACTION_ORDER[b.action],
  );
  const summary: PreviewSummary = { add: 0, modify: 0, replace: 0, remove: 0, import: 0 };
  for (const c of sorted) {
    if (c.action === 'modify') summary[c.replacement === false ? 'modify' : 'replace']++;
    else summary[c.action]++;
  }
  const sortedOther = [...other].sort((a, b) => a.section.localeCompare(b.section) || a.name.localeCompare(b.name));
  return {
    source: base.source,
    stackName: base.stackName,
    changes: sorted,
    security,
    summary,
    permissionsBroadened: security.some((s) => s.broadens),
    other: sortedOther,
    empty: sorted.length === 0 && sortedOther.length === 0,
    ...(base.firstRun !== undefined ? { firstRun: base.firstRun } : {}),
    ...(base.comparedWith !== undefined ? { comparedWith: base.comparedWith } : {}),
    notes: base.notes,
  };
}
