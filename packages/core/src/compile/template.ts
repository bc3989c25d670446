import type { CfnResource, CfnValue } from './cfnTypes.js';

/** The CloudFormation template mfinfra produces. */
export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata: { mfinfra: MfinfraTemplateMetadata };
  Parameters?: Record<string, { Type: string; [k: string]: CfnValue }>;
  Conditions?: Record<string, CfnValue>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Description?: string; Value: CfnValue; Export?: { Name: CfnValue } }>;
}

/** Recorded in the template so previews and later runs know which plugin owns what. */
export interface MfinfraTemplateMetadata {
  generator: string;
  stack: string;
  /** logical id → manifest key of the plugin that contributed it */
  resources: Record<string, string>;
  /** config key → stack Output name */
  config: Record<string, string>;
}

/** CloudFormation's limits (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). */
export const CFN_LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  /** Largest body CreateChangeSet accepts inline (TemplateBody). */
  inlineBodyBytes: 51_200,
  /** Largest template accepted from S3 (TemplateURL). */
  s3BodyBytes: 1_000_000,
} as const;

/** Serialize deterministically: JSON with 2-space indent, or YAML. */
export async function serializeTemplate(template: CfnTemplate, format: 'json' | 'yaml' = 'json'): Promise<string> {
  if (format === 'yaml') {
    const { stringify } = await import('yaml');
    return stringify(template, { aliasDuplicateObjects: false, lineWidth: 0 });
  }
  return JSON.stringify(template, null, 2) + '\n';
}
