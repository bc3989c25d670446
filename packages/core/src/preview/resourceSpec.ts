/**
 * Which properties of which CloudFormation resource types force replacement (`yes`) or may
 * (`maybe`), and which hold IAM policies or security-group rules (cloudformation-diff's "scrutiny"
 * types): the part of the CloudFormation resource specification the preview reads. The build
 * extracts it from the database `@aws-cdk/cloudformation-diff` ships (a ~600 ms load) into
 * `dist/preview/resource-spec.json` (the CLI bundle inlines it), so a plan reads a ~190 KB table
 * instead. Run from the sources (tests), where no table was built, it is extracted on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface PropertySpec {
  /** `yes`: a change replaces the resource; `maybe`: it may. Absent: updated in place. */
  c?: 'yes' | 'maybe';
  /** The property holds IAM policies or security-group rules (e.g. `InlineIdentityPolicies`). */
  s?: string;
}

export interface ResourceSpec {
  /** Only the properties that replace or are scrutinised, in the specification's order. */
  p?: Record<string, PropertySpec>;
  /** The resource itself is a policy or a rule (e.g. `IdentityPolicyResource`, `IngressRuleResource`). */
  s?: string;
}

export type ResourceSpecTable = Record<string, ResourceSpec>;

/**
 * The table from the database cloudformation-diff ships. Types whose properties all update in place
 * and that hold no policy are left out. Property order is kept: the security tables list policies
 * in the specification's property order.
 */
export function extractResourceSpec(): ResourceSpecTable {
  const fromCore = createRequire(import.meta.url);
  const fromDiff = createRequire(fromCore.resolve('@aws-cdk/cloudformation-diff'));
  const db = fromDiff('@aws-cdk/aws-service-spec').loadAwsServiceSpecSync() as {
    all(entity: 'resource'): { cloudFormationType: string; scrutinizable?: string; properties?: Record<string, any> }[];
  };
  const table: ResourceSpecTable = {};
  const types = [...db.all('resource')].sort((a, b) => (a.cloudFormationType < b.cloudFormationType ? -1 : 1));
  for (const resource of types) {
    const entry: ResourceSpec = {};
    const properties: Record<string, PropertySpec> = {};
    for (const [name, prop] of Object.entries(resource.properties ?? {})) {
      const p: PropertySpec = {};
      if (prop.causesReplacement === 'yes' || prop.causesReplacement === 'maybe') p.c = prop.causesReplacement;
      if (prop.scrutinizable && prop.scrutinizable !== 'None') p.s = prop.scrutinizable;
      if (p.c || p.s) properties[name] = p;
    }
    if (Object.keys(properties).length) entry.p = properties;
    if (resource.scrutinizable && resource.scrutinizable !== 'None') entry.s = resource.scrutinizable;
    if (entry.p || entry.s) table[resource.cloudFormationType] = entry;
  }
  return table;
}

export const RESOURCE_SPEC_FILE = 'resource-spec.json';

let table: ResourceSpecTable | undefined;

/** The built table (dist), or extracted now when running from the sources. */
export function resourceSpecTable(): ResourceSpecTable {
  if (table) return table;
  const built = fileURLToPath(new URL(RESOURCE_SPEC_FILE, import.meta.url));
  table = existsSync(built) ? (JSON.parse(readFileSync(built, 'utf8')) as ResourceSpecTable) : extractResourceSpec();
  return table;
}

/** What the specification says about one resource type (undefined: nothing replaces, nothing scrutinised). */
export function resourceSpec(type: string): ResourceSpec | undefined {
  const t = resourceSpecTable();
  return Object.hasOwn(t, type) ? t[type] : undefined;
}
