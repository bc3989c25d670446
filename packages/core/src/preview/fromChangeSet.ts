/**
 * A preview from CloudFormation's answer: the `Changes` of a described change set (every page,
 * ideally described with `IncludePropertyValues: true`). Actions, replacement, physical ids, policy
 * actions and property details come from CloudFormation; old and new values the change set leaves
 * out are filled from the templates when given; security tables come from cloudformation-diff.
 */
import type { Change, ResourceChange as CfnResourceChange, ResourceChangeDetail } from '@aws-sdk/client-cloudformation';
import { deliberateExceptions } from './exceptions.js';
import { previewFromTemplates } from './fromTemplates.js';
import type { ChangeAction, PreviewModel, PropertyChange, PropertyReplacement, Replacement, ResourceChange } from './model.js';
import { joinPath, splitChangeSetPath, valueAt, worstReplacement } from './properties.js';
import { isStateful, retentionFor } from './stateful.js';
import {
  diffTemplates,
  finishModel,
  otherChanges,
  ownersFrom,
  securityChanges,
  templatePropertyChanges,
  type Template,
} from './templateDiff.js';

export interface ChangeSetPreviewInput {
  stackName: string;
  /** `Changes` from DescribeChangeSet, all pages concatenated. */
  changes: Change[];
  /** The template deployed now (GetTemplate), when known; improves old values and the security tables. */
  oldTemplate?: object;
  newTemplate: object;
  resourceOwners?: Record<string, string>;
  /** The change set's StatusReason; a `[WARN]` reason becomes a note. */
  statusReason?: string;
}

const ACTIONS: Record<string, ChangeAction> = {
  Add: 'add',
  Modify: 'modify',
  Remove: 'remove',
  Import: 'import',
  Dynamic: 'modify',
  SyncWithActual: 'modify',
};

export const KNOWN_AFTER_APPLY = '{{changeSet:KNOWN_AFTER_APPLY}}';

/** CloudFormation's own answer; `undefined` when the change set is silent (moto never sends it) or says something unknown. */
function replacementOf(rc: CfnResourceChange, action: ChangeAction): Replacement | undefined {
  if (action !== 'modify') return false;
  switch (rc.Replacement) {
    case 'True':
      return true;
    case 'False':
      return false;
    case 'Conditional':
      return 'conditional';
    default:
      return undefined;
  }
}

/** Per detail, as the CDK reads it: Always+Static → always, Always+Dynamic → conditional, unknown → conditional. */
function detailReplacement(d: ResourceChangeDetail): PropertyReplacement {
  const t = d.Target;
  if (t?.Attribute !== 'Properties') return 'never';
  switch (t.RequiresRecreation) {
    case 'Always':
      return d.Evaluation === 'Dynamic' ? 'conditional' : 'always';
    case 'Never':
      return 'never';
    default:
      return 'conditional';
  }
}

/** CloudFormation sends values as text; JSON objects and lists are parsed back. */
function parseValue(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return v;
    }
  }
  return v;
}

function parseContext(text: string | undefined): Template | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

function causeOf(d: ResourceChangeDetail): string | undefined {
  if (!d.ChangeSource || d.ChangeSource === 'DirectModification') return undefined;
  return d.CausingEntity ? `${d.ChangeSource}: ${d.CausingEntity}` : d.ChangeSource;
}

function detailProperties(rc: CfnResourceChange, before: Template | undefined, after: Template | undefined): PropertyChange[] {
  const byPath = new Map<string, PropertyChange & { causes: string[] }>();
  for (const d of rc.Details ?? []) {
    const t = d.Target;
    if (!t?.Attribute) continue;
    let parts: string[];
    let path: string;
    if (t.Attribute === 'Properties') {
      parts = t.Path ? splitChangeSetPath(t.Path) : t.Name ? [t.Name] : [];
      if (!parts.length) continue;
      path = joinPath(parts);
    } else {
      parts = [];
      path = `(${t.Attribute}${t.Name && t.Name !== t.Attribute ? `: ${t.Name}` : ''})`;
    }
    let beforeValue = parseValue(t.BeforeValue);
    let afterValue = parseValue(t.AfterValue);
    if (t.Attribute === 'Properties') {
      if (beforeValue === undefined) beforeValue = valueAt(before?.Properties, parts);
      if (afterValue === undefined) afterValue = valueAt(after?.Properties, parts);
    }
    const change: PropertyChange['change'] =
      t.AttributeChangeType === 'Add' ? 'add' : t.AttributeChangeType === 'Remove' ? 'remove' : 'modify';
    const replacement = detailReplacement(d);
    const cause = causeOf(d);
    const existing = byPath.get(path);
    if (existing) {
      existing.replacement = worstReplacement(existing.replacement, replacement);
      if (cause && !existing.causes.includes(cause)) existing.causes.push(cause);
      if (existing.before === undefined && beforeValue !== undefined) existing.before = beforeValue;
      if (existing.after === undefined && afterValue !== undefined) existing.after = afterValue;
      continue;
    }
    byPath.set(path, {
      path,
      change,
      ...(beforeValue !== undefined && change !== 'add' ? { before: beforeValue } : {}),
      ...(afterValue !== undefined && change !== 'remove' ? { after: afterValue } : {}),
      replacement,
      causes: cause ? [cause] : [],
    });
  }
  return [...byPath.values()]
    .map(({ causes, ...p }) => (causes.length ? { ...p, cause: causes.join('; ') } : p))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The template as deployed, for the security diff: the old template when given, else rebuilt from
 * the new one and the change set's BeforeContext (IncludePropertyValues) for what changes.
 */
function deployedTemplate(input: ChangeSetPreviewInput, rcs: CfnResourceChange[]): Template {
  if (input.oldTemplate) return input.oldTemplate as Template;
  const next = input.newTemplate as Template;
  const resources: Record<string, unknown> = { ...(next.Resources ?? {}) };
  for (const rc of rcs) {
    const id = rc.LogicalResourceId;
    if (!id) continue;
    if (rc.Action === 'Add' || rc.Action === 'Import') {
      delete resources[id];
      continue;
    }
    const before = parseContext(rc.BeforeContext);
    if (before) resources[id] = { Type: rc.ResourceType, ...before };
    else if (rc.Action === 'Remove') resources[id] = { Type: rc.ResourceType };
  }
  return { ...next, Resources: resources };
}

export function previewFromChangeSet(input: ChangeSetPreviewInput): PreviewModel {
  const newTemplate = input.newTemplate as Template;
  const oldTemplate = input.oldTemplate as Template | undefined;
  const owners = ownersFrom(input.resourceOwners, newTemplate, oldTemplate);
  const rcs = input.changes.map((c) => c.ResourceChange).filter((rc): rc is CfnResourceChange => !!rc?.LogicalResourceId);
  const notes: string[] = [];
  const changes: ResourceChange[] = [];
  let knownAfterApply = false;
  let filledFromTemplates = 0;
  const deployed = deployedTemplate(input, rcs);
  // What the offline predictor says, for the changes CloudFormation is silent about (computed once, when needed).
  let predicted: Map<string, ResourceChange> | undefined;
  const prediction = (logicalId: string): ResourceChange | undefined => {
    predicted ??= new Map(
      previewFromTemplates({ stackName: input.stackName, oldTemplate: deployed, newTemplate }).changes.map((c) => [c.logicalId, c]),
    );
    return predicted.get(logicalId);
  };

  for (const rc of rcs) {
    const logicalId = rc.LogicalResourceId!;
    const action = ACTIONS[rc.Action ?? ''] ?? 'modify';
    const resourceType = rc.ResourceType ?? 'unknown';
    const before = parseContext(rc.BeforeContext) ?? oldTemplate?.Resources?.[logicalId];
    const after = parseContext(rc.AfterContext) ?? newTemplate.Resources?.[logicalId];
    const stateful = isStateful(resourceType);
    let replacement = replacementOf(rc, action);
    let properties = action === 'modify' ? detailProperties(rc, before, after) : [];
    if (action === 'modify' && !properties.length && !rc.Details?.length) {
      // No details at all (an endpoint that leaves them out): say what the templates say, marked so.
      properties = templatePropertyChanges(
        resourceType,
        oldTemplate?.Resources?.[logicalId] ?? before,
        newTemplate.Resources?.[logicalId] ?? after,
      );
      if (properties.length) filledFromTemplates++;
    }
    let replacementSource: ResourceChange['replacementSource'];
    if (replacement === undefined) {
      // The change set does not say whether the resource is replaced. Never read that as "no": ask the
      // template diff; when it cannot tell either, a stateful resource counts as possibly replaced.
      const guess = prediction(logicalId);
      if (guess && guess.action === 'modify') {
        replacement = guess.replacement;
        replacementSource = 'predicted';
        if (!properties.length) properties = guess.properties;
      } else {
        replacement = stateful ? 'conditional' : false;
        replacementSource = 'unknown';
      }
      if (stateful) {
        notes.push(
          replacementSource === 'predicted'
            ? `CloudFormation's change set does not say whether ${logicalId} is replaced; the template diff predicts ${
                replacement === true ? 'it is replaced' : replacement === 'conditional' ? 'it may be replaced' : 'an update in place'
              }`
            : `CloudFormation's change set does not say whether ${logicalId} is replaced, and the template diff cannot tell: it counts as possibly replaced`,
        );
      }
    }
    if (properties.some((p) => p.after === KNOWN_AFTER_APPLY)) knownAfterApply = true;
    const retention =
      stateful && action === 'remove'
        ? retentionFor(resourceType, oldTemplate?.Resources?.[logicalId] ?? before, 'remove', rc.PolicyAction)
        : stateful && replacement !== false
          ? retentionFor(resourceType, newTemplate.Resources?.[logicalId] ?? after, 'replace', rc.PolicyAction)
          : undefined;
    changes.push({
      action,
      logicalId,
      resourceType,
      ...(rc.PhysicalResourceId ? { physicalId: rc.PhysicalResourceId } : {}),
      ...(owners[logicalId] ? { owner: owners[logicalId] } : {}),
      replacement,
      ...(replacementSource ? { replacementSource } : {}),
      properties,
      stateful,
      ...(retention ? { retention } : {}),
      ...(rc.PolicyAction ? { policyAction: rc.PolicyAction } : {}),
      ...(rc.Scope?.length ? { scope: [...rc.Scope] } : {}),
    });
  }

  if (input.statusReason?.startsWith('[WARN]')) notes.push(`CloudFormation: ${input.statusReason}`);
  for (const rc of rcs) {
    if (rc.ResourceType === 'AWS::CloudFormation::Stack' && rc.ChangeSetId) {
      notes.push(`nested stack ${rc.LogicalResourceId} has its own change set, not shown here: ${rc.ChangeSetId}`);
    }
  }
  if (filledFromTemplates) {
    notes.push(
      `the change set gave no property details for ${filledFromTemplates} resource${filledFromTemplates === 1 ? '' : 's'}; those shown come from the template diff (marked "from the template diff")`,
    );
  }
  if (knownAfterApply) notes.push(`values shown as ${KNOWN_AFTER_APPLY} are only known after the change is applied`);
  const diff = diffTemplates(deployed, newTemplate);
  const exceptions = deliberateExceptions(changes, oldTemplate, newTemplate);
  return finishModel(
    { source: 'changeset', stackName: input.stackName, notes, exceptions },
    changes,
    securityChanges(diff),
    otherChanges(diff),
  );
}
