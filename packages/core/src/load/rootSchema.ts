import { AWS_REGIONS } from '../generated/awsRegions.js';
import { outputsSchema } from '../outputs/schema.js';
import type { JsonSchema } from '../plugin.js';

/** What AWS allows in tag keys and values: letters, digits, spaces and _ . : / = + - @. */
export const TAG_CHARACTERS = '^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$';
/** A tag key: those characters, not starting with aws: in any case (AWS reserves it). */
export const TAG_KEY = '^(?![aA][wW][sS]:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$';
export const TAG_KEY_RULE = 'tag keys are 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:';
export const TAG_VALUE_RULE = 'tag values are up to 256 letters, digits, spaces and _ . : / = + - @ (no control characters)';

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
      maxLength: 128,
      description: 'Stack name: letters, digits and hyphens, starting with a letter, at most 128 characters.',
    },
    region: {
      type: 'string',
      // From the table cfn-lint ships (scripts/extract-aws-tables.py): a typo such as us-wset-2 is refused.
      enum: [...AWS_REGIONS],
      description: 'AWS region, e.g. us-west-2 (the --region flag and AWS_REGION override it).',
    },
    description: { type: 'string', maxLength: 1024, description: 'Template description.' },
    tags: {
      type: 'object',
      description: 'Stack tags (CloudFormation propagates them to resources that support tags).',
      // As AWS checks them: keys 1-128 characters not starting aws: (any case), values up to 256,
      // both only letters, digits, spaces and _ . : / = + - @ (no NUL, newline or other control characters).
      propertyNames: { minLength: 1, maxLength: 128, pattern: TAG_KEY, description: TAG_KEY_RULE },
      additionalProperties: { type: 'string', maxLength: 256, pattern: TAG_CHARACTERS, description: TAG_VALUE_RULE },
      maxProperties: 50,
    },
    terminationProtection: { type: 'boolean', description: 'Protect the stack from deletion.' },
    profile: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: '^[^\\s\\[\\]]+$',
      description: 'AWS profile (shared config / SSO) to deploy with; the --profile flag overrides it.',
    },
    account: {
      type: 'string',
      pattern: '^[0-9]{12}$',
      maxLength: 12,
      description:
        'The AWS account id (12 digits, quoted) the stack belongs to: plan, apply and destroy ask STS first and refuse credentials of any other account.',
    },
    notificationArns: {
      type: 'array',
      items: { type: 'string', maxLength: 1024, pattern: '^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$' },
      maxItems: 5,
      description: 'SNS topics for stack events.',
    },
    roleArn: {
      type: 'string',
      // role/ then an optional path and a name of 1-64 characters of [A-Za-z0-9+=,.@_-].
      pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$',
      maxLength: 2048,
      description: 'IAM role CloudFormation assumes for stack operations.',
    },
    templateBucket: {
      type: 'string',
      minLength: 3,
      maxLength: 63,
      // S3's naming rules: lower-case letters, digits, dots and hyphens, starting and ending with a
      // letter or digit, no "..", not an IP address, none of the reserved prefixes and suffixes.
      pattern:
        '^(?!xn--|sthree-|amzn-s3-demo-)(?!.*\\.\\.)(?!.*(?:-s3alias|--ol-s3|--x-s3|\\.mrap)$)(?![0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$)[a-z0-9][a-z0-9.-]*[a-z0-9]$',
      description:
        'S3 bucket for staging templates over 51,200 bytes minified (created by mfinfra if missing). Default: mfinfra-templates-<account>-<region>, created once and reused.',
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
        items: { type: 'string', minLength: 1, maxLength: 1024 },
        maxItems: 50,
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
