/**
 * The CloudFormation template types every module that builds template fragments uses. A leaf: it
 * imports nothing, so compile/ and reuse/ helpers can use these types without going through
 * `plugin.ts` (which re-exports them as part of `@mfinfra/core/plugin`).
 */

/** Any JSON value a CloudFormation template may hold (literals and intrinsic functions). */
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };

/** What CloudFormation keeps of a resource when it is deleted or replaced. */
export type CfnRetentionPolicy = 'Delete' | 'Retain' | 'RetainExceptOnCreate' | 'Snapshot';

/** One CloudFormation resource, as it appears under `Resources`. */
export interface CfnResource {
  Type: string;
  Properties?: { [key: string]: CfnValue | undefined };
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: CfnRetentionPolicy;
  UpdateReplacePolicy?: CfnRetentionPolicy;
  Metadata?: { [key: string]: CfnValue };
}
