/**
 * Offline planning: predict what applying `newTemplate` would change, from the template that was
 * applied last (local state, or a file the user names) — no AWS account. Replacement is predicted
 * from the CloudFormation resource specification (per top-level property; the table extracted at
 * build time, preview/resourceSpec.ts); CloudFormation's own change set is the authority and may differ.
 */
import { deliberateExceptions } from '../preview/exceptions.js';
import type { PreviewModel, PropertyChange, PropertyReplacement, ResourceChange } from '../preview/model.js';
import { propertyChanges } from '../preview/properties.js';
import { isStateful, retentionFor } from '../preview/stateful.js';
import {
  changeImpact,
  diffTemplates,
  finishModel,
  forEachDifference,
  otherChanges,
  ownersFrom,
  securityChanges,
  type Template,
} from '../preview/templateDiff.js';

export interface OfflinePreviewInput {
  stackName: string;
  /** The template applied last; absent on the first run (everything is an addition). */
  oldTemplate?: object;
  newTemplate: object;
  resourceOwners?: Record<string, string>;
  /** What the new template was compared with, shown in the preview (e.g. `.mfinfra/state/prod.json`). */
  comparedWith?: string;
}

const IMPACT_REPLACEMENT: Record<string, PropertyReplacement> = { WILL_REPLACE: 'always', MAY_REPLACE: 'conditional' };

export function previewFromTemplates(input: OfflinePreviewInput): PreviewModel {
  const oldTemplate = (input.oldTemplate ?? {}) as Template;
  const newTemplate = input.newTemplate as Template;
  const diff = diffTemplates(oldTemplate, newTemplate);
  const owners = ownersFrom(input.resourceOwners, newTemplate, oldTemplate);
  const changes: ResourceChange[] = [];

  for (const d of diff.resources) {
    const logicalId = d.logicalId;
    const oldDef = oldTemplate.Resources?.[logicalId];
    const newDef = newTemplate.Resources?.[logicalId];
    const resourceType = (d.newResourceType ?? d.oldResourceType) as string;
    const base = {
      logicalId,
      resourceType,
      ...(owners[logicalId] ? { owner: owners[logicalId] } : {}),
      stateful: isStateful(resourceType),
    };
    if (d.isAddition) {
      changes.push({ ...base, action: 'add', replacement: false, properties: [] });
      continue;
    }
    if (d.isRemoval) {
      changes.push({
        ...base,
        action: 'remove',
        replacement: false,
        properties: [],
        ...(base.stateful ? { retention: retentionFor(resourceType, oldDef, 'remove') } : {}),
      });
      continue;
    }
    const properties: PropertyChange[] = [];
    if (d.resourceTypeChanged) {
      properties.push({ path: '(Type)', change: 'modify', before: d.oldResourceType, after: d.newResourceType, replacement: 'always' });
    }
    forEachDifference(d, (kind, name, value) => {
      if (kind === 'Property') {
        const impact = (value as { changeImpact?: string }).changeImpact ?? '';
        properties.push(...propertyChanges(name, value.oldValue, value.newValue, IMPACT_REPLACEMENT[impact] ?? 'never'));
      } else if (name !== 'Type') {
        properties.push(...propertyChanges(`(${name})`, value.oldValue, value.newValue, 'never'));
      }
    });
    const impact = changeImpact(d);
    const replacement = impact === 'WILL_REPLACE' ? true : impact === 'MAY_REPLACE' ? ('conditional' as const) : false;
    changes.push({
      ...base,
      action: 'modify',
      replacement,
      properties,
      ...(base.stateful && replacement !== false ? { retention: retentionFor(resourceType, newDef, 'replace') } : {}),
    });
  }

  const firstRun = input.oldTemplate === undefined;
  return finishModel(
    {
      source: 'offline',
      stackName: input.stackName,
      firstRun,
      ...(input.comparedWith !== undefined ? { comparedWith: input.comparedWith } : {}),
      exceptions: deliberateExceptions(changes, input.oldTemplate === undefined ? undefined : oldTemplate, newTemplate),
      notes: [
        'replacement is predicted from the CloudFormation resource specification (per top-level property); the change set at apply time is the authority',
      ],
    },
    changes,
    securityChanges(diff),
    // On a first run the template's Description is new too; that is not news.
    otherChanges(diff).filter((o) => !(firstRun && o.section === 'Template')),
  );
}
