/**
 * The template diff behind the previews: which resources are added, removed or changed (and whether
 * a change replaces them), the IAM and security-group changes, and the changes outside Resources.
 * It follows `@aws-cdk/cloudformation-diff`'s `fullDiff` (same equality, normalisation and
 * propagation of replacement through references; a test holds the two together) but reads
 * replacement from the build-time table (resourceSpec.ts) instead of the library's resource
 * database, and needs the library only for its IAM and security-group tables, loaded when a policy or
 * a rule is among the changes (cfnDiffLibrary.ts).
 */
import type { IamChanges } from '@aws-cdk/cloudformation-diff/lib/iam/iam-changes.js';
import type { SecurityGroupChanges } from '@aws-cdk/cloudformation-diff/lib/network/security-group-changes.js';
import { loadSecurityDiff } from './cfnDiffLibrary.js';
import type { OtherChange, PreviewModel, PreviewSummary, PropertyChange, ResourceChange, SecurityChange } from './model.js';
import { propertyChanges } from './properties.js';
import { resourceSpec } from './resourceSpec.js';

export type Template = { [key: string]: any };

/** cloudformation-diff's ResourceImpact. */
export type ResourceImpact =
  'NO_CHANGE' | 'WILL_UPDATE' | 'WILL_CREATE' | 'WILL_REPLACE' | 'MAY_REPLACE' | 'WILL_DESTROY' | 'WILL_ORPHAN' | 'WILL_IMPORT';

const BADNESS: Record<ResourceImpact, number> = {
  NO_CHANGE: 0,
  WILL_IMPORT: 0,
  WILL_UPDATE: 1,
  WILL_CREATE: 2,
  WILL_ORPHAN: 3,
  MAY_REPLACE: 4,
  WILL_REPLACE: 5,
  WILL_DESTROY: 6,
};

function worstImpact(a: ResourceImpact, b: ResourceImpact): ResourceImpact {
  return BADNESS[a] > BADNESS[b] ? a : b;
}

export interface Difference {
  oldValue: any;
  newValue: any;
  isDifferent: boolean;
}

export interface PropertyDifference extends Difference {
  changeImpact: ResourceImpact;
}

export interface ResourceDifference {
  logicalId: string;
  oldValue: any;
  newValue: any;
  oldResourceType: string | undefined;
  newResourceType: string | undefined;
  isAddition: boolean;
  isRemoval: boolean;
  resourceTypeChanged: boolean;
  /** Property → difference, for every property in either template (changed or not). */
  propertyDiffs: Record<string, PropertyDifference>;
  /** Other resource keys (DependsOn, DeletionPolicy, Metadata...) → difference; Properties left out. */
  otherDiffs: Record<string, Difference>;
}

export interface TemplateDiff {
  /** Resources that differ, in template order (the old template's ids first). */
  resources: ResourceDifference[];
  iamChanges: IamChanges;
  securityGroupChanges: SecurityGroupChanges;
  parameters: Record<string, Difference>;
  conditions: Record<string, Difference>;
  mappings: Record<string, Difference>;
  outputs: Record<string, Difference>;
  description?: Difference;
  transform?: Difference;
}

/**
 * Equality as CloudFormation (and cloudformation-diff) sees it: `10` equals `"10"`, `true` equals
 * `"true"`, and DependsOn lists compare as sets (a single id equals a list of that id).
 */
export function deepEqual(l: any, r: any): boolean {
  if (l === r) return true;
  if (
    ((typeof l === 'string' && typeof r === 'boolean') || (typeof l === 'boolean' && typeof r === 'string')) &&
    l.toString() === r.toString()
  ) {
    return true;
  }
  if ((typeof l === 'string' || typeof r === 'string') && Number(l) === Number(r)) return true;
  if (typeof l !== typeof r) return false;
  if (Array.isArray(l) !== Array.isArray(r)) return false;
  if (Array.isArray(l)) {
    if (l.length !== r.length) return false;
    for (let i = 0; i < l.length; i++) if (!deepEqual(l[i], r[i])) return false;
    return true;
  }
  if (typeof l === 'object') {
    if (l === null || r === null) return false;
    const keys = Object.keys(l);
    if (keys.length !== Object.keys(r).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(r, key)) return false;
      if (key === 'DependsOn' ? !dependsOnEqual(l[key], r[key]) : !deepEqual(l[key], r[key])) return false;
    }
    return true;
  }
  return false;
}

function dependsOnEqual(l: any, r: any): boolean {
  if (Array.isArray(l) !== Array.isArray(r)) {
    const array = Array.isArray(l) ? l : r;
    const single = Array.isArray(l) ? r : l;
    return array.length === 1 && deepEqual(array[0], single);
  }
  if (Array.isArray(l) && Array.isArray(r)) {
    if (l.length !== r.length) return false;
    const unmatched = r.map((_, i) => i);
    for (const x of l) {
      const at = unmatched.findIndex((i) => deepEqual(x, r[i]));
      if (at === -1) return false;
      unmatched.splice(at, 1);
    }
    return true;
  }
  return false;
}

function deepCopy<T>(x: T): T {
  if (Array.isArray(x)) return x.map(deepCopy) as T;
  if (typeof x === 'object' && x !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(x)) out[key] = deepCopy((x as Record<string, unknown>)[key]);
    return out as T;
  }
  return x;
}

/** `Fn::GetAtt: "A.B"` → `["A", "B"]`; DependsOn as a sorted list (in place, on a copy). */
function normalize(t: any): void {
  if (typeof t !== 'object' || t === null) return;
  for (const key of Object.keys(t)) {
    if (key === 'Fn::GetAtt' && typeof t[key] === 'string') {
      t[key] = t[key].split('.');
      continue;
    }
    if (key === 'DependsOn') {
      if (typeof t[key] === 'string') t[key] = [t[key]];
      else if (Array.isArray(t[key])) t[key] = t[key].sort();
      continue;
    }
    if (Array.isArray(t[key])) for (const e of t[key]) normalize(e);
    else normalize(t[key]);
  }
}

function keyedDiff<T>(oldMap: any, newMap: any, diff: (o: any, n: any, key: string) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of new Set([...Object.keys(oldMap ?? {}), ...Object.keys(newMap ?? {})])) {
    const o = oldMap?.[key];
    const n = newMap?.[key];
    if (o === undefined && n === undefined) continue;
    out[key] = diff(o, n, key);
  }
  return out;
}

const plainDiff = (oldValue: any, newValue: any): Difference => ({ oldValue, newValue, isDifferent: !deepEqual(oldValue, newValue) });

function propertyImpact(type: string | undefined, name: string, oldValue: any, newValue: any): ResourceImpact {
  const known = type !== undefined && resourceSpec(type)?.p?.[name];
  if (deepEqual(oldValue, newValue)) return 'NO_CHANGE';
  // cloudformation-diff rates a property its database does not list NO_CHANGE and one that updates in
  // place WILL_UPDATE; the table keeps only replacing properties, and the preview treats both alike.
  return known ? (known.c === 'yes' ? 'WILL_REPLACE' : known.c === 'maybe' ? 'MAY_REPLACE' : 'WILL_UPDATE') : 'WILL_UPDATE';
}

function diffResource(oldValue: any, newValue: any, logicalId: string): ResourceDifference {
  const oldType: string | undefined = oldValue?.Type;
  const newType: string | undefined = newValue?.Type;
  let propertyDiffs: Record<string, PropertyDifference> = {};
  let otherDiffs: Record<string, Difference> = {};
  if (logicalId.startsWith('Fn::ForEach::')) {
    // Fn::ForEach entries are lists, not resources: one "Value" difference.
    return {
      logicalId,
      oldValue,
      newValue,
      oldResourceType: oldValue ? 'Fn::ForEach' : undefined,
      newResourceType: newValue ? 'Fn::ForEach' : undefined,
      isAddition: oldValue === undefined,
      isRemoval: newValue === undefined,
      resourceTypeChanged: false,
      propertyDiffs,
      otherDiffs: deepEqual(oldValue, newValue) ? {} : { Value: plainDiff(oldValue, newValue) },
    };
  }
  if (oldType !== undefined && oldType === newType) {
    propertyDiffs = keyedDiff(oldValue.Properties, newValue.Properties, (o, n, key) => ({
      ...plainDiff(o, n),
      changeImpact: propertyImpact(oldType, key, o, n),
    }));
    otherDiffs = keyedDiff(oldValue, newValue, plainDiff);
    delete otherDiffs.Properties;
  }
  return {
    logicalId,
    oldValue,
    newValue,
    oldResourceType: oldType,
    newResourceType: newType,
    isAddition: oldValue === undefined,
    isRemoval: newValue === undefined,
    resourceTypeChanged: oldType !== undefined && newType !== undefined && oldType !== newType,
    propertyDiffs,
    otherDiffs,
  };
}

/** The properties that changed. */
export function propertyUpdates(d: ResourceDifference): Record<string, PropertyDifference> {
  return Object.fromEntries(Object.entries(d.propertyDiffs).filter(([, p]) => p.isDifferent));
}

/** The other keys (DependsOn, DeletionPolicy...) that changed. */
export function otherUpdates(d: ResourceDifference): Record<string, Difference> {
  return Object.fromEntries(Object.entries(d.otherDiffs).filter(([, p]) => p.isDifferent));
}

export function isDifferent(d: ResourceDifference): boolean {
  return Object.keys(propertyUpdates(d)).length + Object.keys(otherUpdates(d)).length > 0 || d.oldResourceType !== d.newResourceType;
}

/** What happens to the resource, as cloudformation-diff rates it. */
export function changeImpact(d: ResourceDifference): ResourceImpact {
  if (d.oldResourceType !== d.newResourceType) {
    if (d.oldResourceType === undefined) return 'WILL_CREATE';
    if (d.newResourceType === undefined) {
      return d.oldValue.DeletionPolicy === 'Retain' || d.oldValue.DeletionPolicy === 'RetainExceptOnCreate'
        ? 'WILL_ORPHAN'
        : 'WILL_DESTROY';
    }
    return 'WILL_REPLACE';
  }
  const base: ResourceImpact = Object.keys(otherUpdates(d)).length > 0 ? 'WILL_UPDATE' : 'NO_CHANGE';
  return Object.values(d.propertyDiffs)
    .map((p) => p.changeImpact)
    .reduce(worstImpact, base);
}

/** Property changes (sorted) then other changes (sorted), as cloudformation-diff walks them. */
export function forEachDifference(d: ResourceDifference, cb: (kind: 'Property' | 'Other', name: string, diff: Difference) => void): void {
  const props = propertyUpdates(d);
  for (const key of Object.keys(props).sort()) cb('Property', key, props[key]!);
  const other = otherUpdates(d);
  for (const key of Object.keys(other).sort()) cb('Other', key, other[key]!);
}

const isReplacement = (impact: ResourceImpact) => impact === 'MAY_REPLACE' || impact === 'WILL_REPLACE';

/**
 * Replace every `Ref` to `logicalId` with `"<id> (replaced)"` and every `Fn::*` whose first argument
 * is `logicalId` with `"<id>(replaced)"` (cloudformation-diff's spelling, kept so previews match),
 * in place. Intrinsics are not looked into (a Ref inside Fn::Join is left alone, as the library does).
 */
function propagateReplacedReferences(template: any, logicalId: string): boolean {
  let changed = false;
  const replaceReference = (obj: any): boolean => {
    const keys = Object.keys(obj);
    if (keys.length !== 1) return false;
    const key = keys[0]!;
    if (key === 'Ref') {
      if (obj.Ref === logicalId) {
        obj.Ref = logicalId + ' (replaced)';
        changed = true;
      }
      return true;
    }
    if (key.startsWith('Fn::')) {
      if (Array.isArray(obj[key]) && obj[key].length > 0 && obj[key][0] === logicalId) {
        obj[key][0] = logicalId + '(replaced)';
        changed = true;
      }
      return true;
    }
    return false;
  };
  const recurse = (obj: any): void => {
    if (Array.isArray(obj)) obj.forEach(recurse);
    if (typeof obj === 'object' && obj !== null && !replaceReference(obj)) Object.values(obj).forEach(recurse);
  };
  recurse(template);
  return changed;
}

function resourceDiffs(oldT: Template, newT: Template): Record<string, ResourceDifference> {
  return deepEqual(oldT.Resources, newT.Resources) ? {} : keyedDiff(oldT.Resources, newT.Resources, diffResource);
}

type ScrutinisedProperty = ConstructorParameters<typeof IamChanges>[0]['propertyChanges'][number];
type ScrutinisedResource = ConstructorParameters<typeof IamChanges>[0]['resourceChanges'][number];

function scrutinisedProperties(changes: ResourceDifference[], kinds: string[]): ScrutinisedProperty[] {
  const out: ScrutinisedProperty[] = [];
  for (const d of changes) {
    if (d.resourceTypeChanged) continue;
    const type = d.oldResourceType ?? d.newResourceType;
    if (!type) continue;
    for (const [propertyName, p] of Object.entries(resourceSpec(type)?.p ?? {})) {
      if (p.s && kinds.includes(p.s)) {
        out.push({
          resourceLogicalId: d.logicalId,
          propertyName,
          resourceType: type,
          scrutinyType: p.s as ScrutinisedProperty['scrutinyType'],
          oldValue: d.oldValue?.Properties?.[propertyName],
          newValue: d.newValue?.Properties?.[propertyName],
        });
      }
    }
  }
  return out;
}

function scrutinisedResources(changes: ResourceDifference[], kinds: string[]): ScrutinisedResource[] {
  const out: ScrutinisedResource[] = [];
  for (const d of changes) {
    const common = { oldProperties: d.oldValue?.Properties, newProperties: d.newValue?.Properties, resourceLogicalId: d.logicalId };
    const add = (type: string, extra: Partial<ScrutinisedResource>) => {
      const s = resourceSpec(type)?.s;
      if (s && kinds.includes(s))
        out.push({ ...common, ...extra, resourceType: type, scrutinyType: s as ScrutinisedResource['scrutinyType'] });
    };
    if (d.resourceTypeChanged) {
      if (d.oldResourceType) add(d.oldResourceType, { newProperties: undefined });
      if (d.newResourceType) add(d.newResourceType, { oldProperties: undefined });
    } else {
      const type = d.oldResourceType ?? d.newResourceType;
      if (type) add(type, {});
    }
  }
  return out;
}

const IAM_PROPERTIES = ['InlineIdentityPolicies', 'InlineResourcePolicy', 'ManagedPolicies'];
const IAM_RESOURCES = [
  'ResourcePolicyResource',
  'IdentityPolicyResource',
  'LambdaPermission',
  'SsoAssignmentResource',
  'SsoInstanceACAConfigResource',
  'SsoPermissionSet',
];

/** An empty table in the shape of IamChanges / SecurityGroupChanges, when nothing is scrutinised. */
function noChanges<T>(): T {
  const none = { additions: [], removals: [], hasAdditions: false, hasRemovals: false, hasChanges: false };
  return {
    statements: none,
    managedPolicies: none,
    ingress: none,
    egress: none,
    hasChanges: false,
    permissionsBroadened: false,
    rulesAdded: false,
  } as unknown as T;
}

function securityTables(changes: ResourceDifference[]): Pick<TemplateDiff, 'iamChanges' | 'securityGroupChanges'> {
  const iamProps = scrutinisedProperties(changes, IAM_PROPERTIES);
  const iamResources = scrutinisedResources(changes, IAM_RESOURCES);
  const sg = {
    egressRulePropertyChanges: scrutinisedProperties(changes, ['EgressRules']),
    ingressRulePropertyChanges: scrutinisedProperties(changes, ['IngressRules']),
    egressRuleResourceChanges: scrutinisedResources(changes, ['EgressRuleResource']),
    ingressRuleResourceChanges: scrutinisedResources(changes, ['IngressRuleResource']),
  };
  const anySg = Object.values(sg).some((l) => l.length > 0);
  if (!iamProps.length && !iamResources.length && !anySg) return { iamChanges: noChanges(), securityGroupChanges: noChanges() };
  const lib = loadSecurityDiff();
  return {
    iamChanges: new lib.iam.IamChanges({ propertyChanges: iamProps, resourceChanges: iamResources }),
    securityGroupChanges: new lib.securityGroups.SecurityGroupChanges(sg),
  };
}

/** What changes from `oldTemplate` to `newTemplate` (neither is modified). */
export function diffTemplates(oldTemplate: Template, newTemplate: Template): TemplateDiff {
  const oldT = deepCopy(oldTemplate);
  const newT = deepCopy(newTemplate);
  normalize(oldT);
  normalize(newT);
  const base = resourceDiffs(oldT, newT);
  const changed = Object.values(base).filter(isDifferent);
  // Security tables from the plain diff, before replacement is propagated (as the library does).
  const security = securityTables(changed);

  // A replaced resource gets a new physical id: what refers to it changes too, and may be replaced
  // in turn. Propagate until nothing more changes, then copy the replacing property changes over.
  const propagated = deepCopy(newT);
  let withReplacements: Record<string, ResourceDifference>;
  let again: boolean;
  do {
    withReplacements = resourceDiffs(oldT, propagated);
    again = false;
    for (const d of Object.values(withReplacements)) {
      if (isDifferent(d) && changeImpact(d) === 'WILL_REPLACE' && propagateReplacedReferences(propagated, d.logicalId)) again = true;
    }
  } while (again);
  for (const d of Object.values(withReplacements)) {
    if (!isDifferent(d) || !isReplacement(changeImpact(d))) continue;
    const target = base[d.logicalId]!;
    if (changeImpact(target) === changeImpact(d)) continue;
    for (const [name, p] of Object.entries(propertyUpdates(d))) {
      if (isReplacement(p.changeImpact)) target.propertyDiffs[name] = p;
    }
  }

  const section = (key: string) => (deepEqual(oldT[key], newT[key]) ? {} : keyedDiff(oldT[key], newT[key], plainDiff));
  const attribute = (key: string) => (deepEqual(oldT[key], newT[key]) ? undefined : plainDiff(asString(oldT[key]), asString(newT[key])));
  const description = attribute('Description');
  const transform = attribute('Transform');
  return {
    resources: Object.values(base).filter(isDifferent),
    ...security,
    parameters: section('Parameters'),
    conditions: section('Conditions'),
    mappings: section('Mappings'),
    outputs: section('Outputs'),
    ...(description ? { description } : {}),
    ...(transform ? { transform } : {}),
  };
}

/**
 * The property changes between two definitions of one resource, from the templates alone (replacement
 * per top-level property from the resource spec), marked `source: 'template'`: for a change set that
 * says a resource changes but not how.
 */
export function templatePropertyChanges(
  resourceType: string,
  oldDef: Template | undefined,
  newDef: Template | undefined,
): PropertyChange[] {
  const before = (oldDef?.Properties ?? {}) as Record<string, unknown>;
  const after = (newDef?.Properties ?? {}) as Record<string, unknown>;
  const out: PropertyChange[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (deepEqual(before[name], after[name])) continue;
    const c = resourceSpec(resourceType)?.p?.[name]?.c;
    const replacement = c === 'yes' ? 'always' : c === 'maybe' ? 'conditional' : 'never';
    out.push(...propertyChanges(name, before[name], after[name], replacement).map((p) => ({ ...p, source: 'template' as const })));
  }
  return out;
}

function asString(v: unknown): string | undefined {
  return v == null ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
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
    for (const [name, d] of Object.entries(coll)) {
      if (!d.isDifferent) continue;
      out.push({ section, name, change: changeKind(d) });
    }
  }
  for (const [name, d] of [
    ['Description', diff.description],
    ['Transform', diff.transform],
  ] as const) {
    if (d?.isDifferent) out.push({ section: 'Template', name, change: changeKind(d) });
  }
  return out;
}

function changeKind(d: Difference): OtherChange['change'] {
  return d.oldValue === undefined ? 'add' : d.newValue === undefined ? 'remove' : 'modify';
}

const ACTION_ORDER = { remove: 0, modify: 1, import: 2, add: 3 } as const;

/** Exceptions in the order of the (sorted) changes they belong to, each resource's in the order written. */
function orderLike<T extends { logicalId: string }>(changes: ResourceChange[], items: T[]): T[] {
  const rank = new Map(changes.map((c, i) => [c.logicalId, i]));
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => (rank.get(a.item.logicalId) ?? 1e9) - (rank.get(b.item.logicalId) ?? 1e9) || a.i - b.i)
    .map(({ item }) => item);
}

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
  base: Pick<PreviewModel, 'source' | 'stackName' | 'notes'> & Partial<Pick<PreviewModel, 'firstRun' | 'comparedWith' | 'exceptions'>>,
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
    ...(base.exceptions?.length ? { exceptions: orderLike(sorted, base.exceptions) } : {}),
    summary,
    permissionsBroadened: security.some((s) => s.broadens),
    other: sortedOther,
    empty: sorted.length === 0 && sortedOther.length === 0,
    ...(base.firstRun !== undefined ? { firstRun: base.firstRun } : {}),
    ...(base.comparedWith !== undefined ? { comparedWith: base.comparedWith } : {}),
    notes: base.notes,
  };
}
