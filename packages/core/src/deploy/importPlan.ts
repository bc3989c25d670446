/**
 * What an import would do, decided before anything is sent to CloudFormation: each resource to import
 * is looked up in the template the manifest compiles to, compared property by property with what the
 * live resource has (`importLive.ts`), and refused when the template would replace it, or would change
 * it on the next update (drift at import time; CloudFormation imports the resource as it is and then
 * believes the template). The import template is the deployed one (or an empty one, for a new stack)
 * plus the imported resources, each with its DeletionPolicy, as CloudFormation requires: an import may
 * not add, change or remove anything else, Outputs included.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html
 *
 * Pure: no AWS calls, nothing printed.
 */
import type { CfnTemplate } from '../compile/template.js';
import { ErrorCode, fail, type MfinfraError, type Diagnostic } from '../errors.js';
import { resourceSpec } from '../preview/resourceSpec.js';
import { isImportable, IMPORTABLE_TYPES, type LiveResource } from './importLive.js';
import { show } from './render.js';
import type { ImportPlan, PlannedImport, PropertyMismatch } from './types.js';

export type { ImportPlan, PlannedImport, PropertyMismatch } from './types.js';

/** One resource to import: its logical id in the template and the live resource's name / id / ARN. */
export interface ImportRequest {
  logicalId: string;
  physicalId: string;
}

export interface ImportPlanInput {
  stackName: string;
  /** What the manifest compiles to. */
  target: CfnTemplate;
  /** The template deployed now; undefined when the stack does not exist. */
  deployed?: CfnTemplate;
  requests: ImportRequest[];
  /** Live resources by logical id. */
  live: Record<string, LiveResource>;
  /**
   * Import resources whose updatable properties differ, with their live values, so that the next
   * apply changes them in a previewed update (instead of refusing). Replacements are refused anyway.
   */
  updateAfterImport?: boolean;
}

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: unknown; DependsOn?: unknown; Condition?: unknown };

/** Properties each live reader reads; template properties outside this list are not compared. */
const READ: Record<string, string[]> = {
  'AWS::S3::Bucket': [
    'BucketName',
    'BucketEncryption',
    'VersioningConfiguration',
    'PublicAccessBlockConfiguration',
    'OwnershipControls',
    'LifecycleConfiguration',
    'LoggingConfiguration',
  ],
  'AWS::DynamoDB::Table': [
    'TableName',
    'KeySchema',
    'AttributeDefinitions',
    'BillingMode',
    'TimeToLiveSpecification',
    'PointInTimeRecoverySpecification',
    'SSESpecification',
  ],
  'AWS::RDS::DBInstance': [
    'DBInstanceIdentifier',
    'Engine',
    'EngineVersion',
    'DBInstanceClass',
    'DBName',
    'MasterUsername',
    'Port',
    'StorageType',
    'AllocatedStorage',
    'MaxAllocatedStorage',
    'StorageEncrypted',
    'KmsKeyId',
    'MultiAZ',
    'PubliclyAccessible',
    'BackupRetentionPeriod',
    'DeletionProtection',
    'CopyTagsToSnapshot',
    'AutoMinorVersionUpgrade',
    'EnableCloudwatchLogsExports',
    'DBSubnetGroupName',
    'VPCSecurityGroups',
  ],
  'AWS::SecretsManager::Secret': ['Name', 'Description', 'KmsKeyId'],
  'AWS::Logs::LogGroup': ['LogGroupName', 'RetentionInDays', 'KmsKeyId'],
};

/** Properties AWS fills in with a default when the template leaves them out and whose creation-time default matters. */
const REPLACES_WHEN: Record<string, string[]> = {
  // Create-only in practice (the resource specification marks them so); listed for types whose table entry may lag.
  'AWS::RDS::DBInstance': ['DBName', 'MasterUsername', 'Engine', 'StorageEncrypted', 'KmsKeyId', 'DBInstanceIdentifier'],
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::SecretsManager::Secret': ['Name'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
};

function replaces(type: string, property: string): boolean {
  const spec = resourceSpec(type)?.p?.[property]?.c;
  return spec === 'yes' || spec === 'maybe' || (REPLACES_WHEN[type] ?? []).includes(property);
}

/** Logical ids (and pseudo parameters) a template value refers to; `dynamic`: it has a value only AWS knows. */
function references(value: unknown, out: { ids: Set<string>; dynamic: boolean } = { ids: new Set(), dynamic: false }) {
  if (Array.isArray(value)) {
    for (const v of value) references(v, out);
  } else if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref' && typeof arg === 'string') {
        if (!arg.startsWith('AWS::')) out.ids.add(arg);
        out.dynamic = true;
        return out;
      }
      if (key === 'Fn::GetAtt') {
        const id = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
        if (typeof id === 'string') out.ids.add(id);
        out.dynamic = true;
        return out;
      }
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>?]) : [arg as string, undefined];
        for (const m of String(text).matchAll(/\$\{([^}!]+)\}/g)) {
          const name = m[1]!.split('.')[0]!;
          if (!name.startsWith('AWS::') && !(vars && Object.hasOwn(vars, name))) out.ids.add(name);
        }
        if (vars) references(vars, out);
        out.dynamic = true;
        return out;
      }
      if (key.startsWith('Fn::')) {
        out.dynamic = true;
        references(arg, out);
        return out;
      }
    }
    for (const [, v] of entries) references(v, out);
  } else if (typeof value === 'string' && value.includes('{{resolve:')) {
    out.dynamic = true;
  }
  return out;
}

function scalar(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Empty values ask for nothing: a template `false` / `[]` / `{}` matches a live "not set". */
function isEmpty(v: unknown): boolean {
  return (
    v === false ||
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isEmpty))
  );
}

/**
 * Whether the live value has everything the template asks for. Objects: every key the template sets
 * (keys the template leaves out are AWS's defaults, not asked for). Lists: same length, item by item
 * (lists of plain values in any order). Plain values: equal as text ("20" and 20 are one value).
 */
export function matches(template: unknown, live: unknown): boolean {
  if (template === undefined || template === null) return true;
  if (live === undefined || live === null) return isEmpty(template);
  if (Array.isArray(template)) {
    if (!Array.isArray(live) || live.length !== template.length) return false;
    if (template.every((t) => typeof t !== 'object') && live.every((l) => typeof l !== 'object')) {
      const a = template.map(scalar).sort();
      const b = live.map(scalar).sort();
      return a.every((x, i) => x === b[i]);
    }
    return template.every((t, i) => matches(t, live[i]));
  }
  if (typeof template === 'object') {
    if (typeof live !== 'object' || Array.isArray(live)) return false;
    return Object.entries(template as Record<string, unknown>).every(([k, v]) => matches(v, (live as Record<string, unknown>)[k]));
  }
  return scalar(template) === scalar(live);
}

function refusal(message: string, hint: string, diagnostics: Diagnostic[] = []): MfinfraError {
  return fail.IMPORT_REFUSED(message, { hint, kind: 'gate', diagnostics });
}

function mismatchLine(logicalId: string, m: PropertyMismatch): string {
  switch (m.kind) {
    case 'replace':
      return `${logicalId}.${m.property}: the live resource has ${show(m.live)}, the template ${show(m.template)}; changing it replaces the resource`;
    case 'reference':
      return `${logicalId}.${m.property} refers to ${show(m.template)}, which the stack does not have yet`;
    default:
      return `${logicalId}.${m.property}: the live resource has ${show(m.live)}, the template ${show(m.template)}; the next update would change it`;
  }
}

/** Decide the import, or throw IMPORT_REFUSED naming every property that stands in the way. */
export function planImport(input: ImportPlanInput): ImportPlan {
  const { target, deployed, requests } = input;
  const targetResources = (target.Resources ?? {}) as Record<string, Resource>;
  const deployedResources = ((deployed as { Resources?: Record<string, Resource> } | undefined)?.Resources ?? {}) as Record<
    string,
    Resource
  >;
  if (!requests.length) {
    throw fail.IMPORT_REFUSED('nothing to import', {
      hint: 'name each resource as LogicalId=name, e.g. --import DatastoreBucket=my-metaflow-bucket',
      kind: 'usage',
    });
  }
  const importedIds = new Set(requests.map((r) => r.logicalId));
  const present = new Set([...Object.keys(deployedResources), ...importedIds]);
  const problems: Diagnostic[] = [];
  const imports: PlannedImport[] = [];
  const resources: Record<string, Resource> = {};
  const seen = new Set<string>();
  for (const request of requests) {
    const { logicalId } = request;
    if (seen.has(logicalId)) {
      problems.push(diag(`${logicalId} is named twice`));
      continue;
    }
    seen.add(logicalId);
    const resource = targetResources[logicalId];
    if (!resource) {
      const candidates = Object.entries(targetResources)
        .filter(([id, r]) => isImportable(r.Type) && !deployedResources[id])
        .map(([id, r]) => `${id} (${r.Type})`);
      problems.push(
        diag(
          `${logicalId} is not a resource of the template the manifest compiles to`,
          candidates.length
            ? `importable resources of this template: ${candidates.join(', ')}`
            : 'the template has no importable resource left',
        ),
      );
      continue;
    }
    if (!isImportable(resource.Type)) {
      problems.push(diag(`${logicalId} is a ${resource.Type}; mfinfra imports only ${IMPORTABLE_TYPES.join(', ')}`));
      continue;
    }
    if (deployedResources[logicalId]) {
      problems.push(
        diag(`${logicalId} is already a resource of stack ${input.stackName}; only resources outside the stack can be imported`),
      );
      continue;
    }
    if (resource.DeletionPolicy === undefined) {
      problems.push(
        diag(
          `${logicalId} has no DeletionPolicy in the template; CloudFormation imports only resources that have one`,
          'the plugin that owns it must set DeletionPolicy (Retain for data)',
        ),
      );
      continue;
    }
    if (resource.Condition !== undefined) {
      problems.push(diag(`${logicalId} has a Condition; mfinfra does not import conditional resources`));
      continue;
    }
    const live = input.live[logicalId];
    if (!live) {
      problems.push(diag(`${logicalId}: the live resource ${request.physicalId} was not read`));
      continue;
    }
    if (live.resourceType !== resource.Type) {
      problems.push(diag(`${logicalId} is a ${resource.Type} in the template, but ${request.physicalId} is a ${live.resourceType}`));
      continue;
    }
    const properties = { ...(resource.Properties ?? {}) };
    const read = READ[resource.Type] ?? [];
    const mismatches: PropertyMismatch[] = [];
    const notCompared: string[] = [];
    for (const [property, value] of Object.entries(resource.Properties ?? {})) {
      if (value === undefined) continue;
      if (!read.includes(property)) {
        notCompared.push(property);
        continue;
      }
      const refs = references(value);
      if (refs.dynamic) {
        const missing = [...refs.ids].filter((id) => !present.has(id));
        if (missing.length) {
          mismatches.push({
            property,
            live: live.properties[property],
            template: missing.length === 1 ? missing[0] : missing,
            kind: replaces(resource.Type, property) ? 'replace' : 'reference',
          });
        } else {
          notCompared.push(property);
        }
        continue;
      }
      if (!matches(value, live.properties[property])) {
        mismatches.push({
          property,
          live: live.properties[property],
          template: value,
          kind: replaces(resource.Type, property) ? 'replace' : 'update',
        });
      }
    }
    const blocking = mismatches.filter((m) => m.kind === 'replace' || !input.updateAfterImport);
    for (const m of blocking) {
      problems.push(
        diag(
          mismatchLine(logicalId, m),
          m.kind === 'replace'
            ? 'mfinfra never imports a resource its template would replace: change the manifest to match the live resource, or leave this resource out'
            : m.kind === 'reference'
              ? `create ${show(m.template)} first (\`mfinfra apply\`), or import with --update-after-import (the property is set on the next apply, previewed)`
              : 'change the manifest to match the live resource, or import with --update-after-import (the next apply changes it, previewed)',
          { logicalId, property: m.property },
        ),
      );
    }
    const deferred = mismatches.filter((m) => m.kind !== 'replace');
    if (input.updateAfterImport) {
      for (const m of deferred) {
        if (live.properties[m.property] === undefined) delete properties[m.property];
        else properties[m.property] = live.properties[m.property];
      }
    }
    const dependsOn = resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    const kept = dependsOn.filter((d): d is string => typeof d === 'string' && present.has(d));
    const { DependsOn: _omit, ...rest } = resource;
    resources[logicalId] = { ...rest, ...(kept.length ? { DependsOn: kept } : {}), Properties: properties };
    imports.push({
      logicalId,
      resourceType: resource.Type,
      physicalId: live.physicalId,
      identifier: live.identifier,
      deferred: input.updateAfterImport ? deferred : [],
      notCompared,
    });
  }
  if (problems.length) {
    const first = problems[0]!;
    throw refusal(
      problems.length === 1
        ? `nothing was imported: ${first.message}`
        : `nothing was imported: ${problems.length} problems stand in the way`,
      problems.length === 1 ? (first.hint ?? '') : 'each is listed below; fix them and run again',
      problems.length === 1 ? [] : problems,
    );
  }
  const template = importTemplate(target, deployed, resources);
  return { stackName: input.stackName, template, imports };
}

function diag(message: string, hint?: string, _where?: { logicalId: string; property: string }): Diagnostic {
  return { code: ErrorCode.IMPORT_REFUSED, severity: 'error', message, ...(hint ? { hint } : {}) };
}

/**
 * The deployed template with the imported resources added, or (no stack yet) a template of only the
 * imported resources: CloudFormation refuses an import that changes anything else (Outputs included).
 */
function importTemplate(target: CfnTemplate, deployed: CfnTemplate | undefined, added: Record<string, Resource>): CfnTemplate {
  if (deployed) {
    const base = JSON.parse(JSON.stringify(deployed)) as CfnTemplate & { Resources: Record<string, unknown> };
    return { ...base, Resources: sortKeys({ ...base.Resources, ...added }) } as CfnTemplate;
  }
  const t = target as CfnTemplate & { AWSTemplateFormatVersion?: string; Description?: string; Metadata?: unknown };
  return {
    AWSTemplateFormatVersion: t.AWSTemplateFormatVersion ?? '2010-09-09',
    ...(t.Description ? { Description: t.Description } : {}),
    ...(t.Metadata !== undefined ? { Metadata: t.Metadata } : {}),
    Resources: sortKeys(added),
  } as unknown as CfnTemplate;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
