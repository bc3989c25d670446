import { outputsSchema } from '../outputs/schema.js';
import type { JsonSchema } from '../plugin.js';

/** Manifest keys owned by core. A plugin claiming one of them is refused at load time. */
export const CORE_KEYS = ['version', 'stack', 'plugins', 'outputs'] as const;

/** The URL of the published schema (used in `mfinfra init`'s `# yaml-language-server` line). */
export const SCHEMA_ID = 'https://mfinfra.dev/schema/metaflow.infra.json';

export const stackSchema: JsonSchema = {
  type: 'object',
  description: 'The CloudFormation stack that holds this deployment.',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9-]{0,127}$',
      description: 'Stack name: letters, digits and hyphens, starting with a letter, at most 128 characters.',
    },
    region: {
      type: 'string',
      pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$',
      description: 'AWS region, e.g. us-west-2 (the --region flag and AWS_REGION override it).',
    },
    description: { type: 'string', maxLength: 1024, description: 'Template description.' },
    tags: {
      type: 'object',
      description: 'Stack tags (CloudFormation propagates them to resources that support tags).',
      propertyNames: { minLength: 1, maxLength: 128, pattern: '^(?!aws:)' },
      additionalProperties: { type: 'string', maxLength: 256 },
      maxProperties: 50,
    },
    terminationProtection: { type: 'boolean', description: 'Protect the stack from deletion.' },
    notificationArns: {
      type: 'array',
      items: { type: 'string', pattern: '^arn:aws[a-z-]*:sns:' },
      maxItems: 5,
      description: 'SNS topics for stack events.',
    },
    roleArn: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/',
      description: 'IAM role CloudFormation assumes for stack operations.',
    },
    templateBucket: {
      type: 'string',
      minLength: 3,
      description: 'S3 bucket for staging templates over 51,200 bytes (created by mfinfra if missing).',
    },
  },
};

/** Core's part of the manifest schema; plugin fragments are added under their keys. */
export function rootSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'mfinfra manifest (metaflow.infra.yaml)',
    type: 'object',
    additionalProperties: false,
    required: ['version', 'stack', 'plugins'],
    properties: {
      version: { const: 1, description: 'Manifest format version. Always 1.' },
      stack: stackSchema,
      plugins: {
        type: 'array',
        description:
          'Plugins to load, in any order: first-party short names (datastore, network, batch, metadata, scheduling), npm package names, or relative paths to local modules.',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
      },
      outputs: outputsSchema,
    },
  };
}

/** Core's defaults, applied after validation. */
export const rootDefaults = {
  stack: { tags: {}, terminationProtection: false },
  outputs: { metaflowConfig: { enabled: true }, files: [] },
};
