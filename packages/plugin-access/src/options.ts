import type { DeepPartial, JsonSchema } from '@mfinfra/core/plugin';

/** The `access:` section after defaults. */
export interface AccessOptions {
  /** Also allow `cloudformation:DescribeStacks` on this stack, so users can run `mfinfra outputs`. */
  readStackOutputs: boolean;
  role?: {
    trustedPrincipals: string[];
    ssoPermissionSets: string[];
    requireMfa: boolean;
    maxSessionHours: number;
  };
}

export const defaults: DeepPartial<AccessOptions> = { readStackOutputs: true };

/** Defaults inside `role:` (applied when the section has a role). */
export const ROLE_DEFAULTS = {
  trustedPrincipals: [] as string[],
  ssoPermissionSets: [] as string[],
  requireMfa: false,
  maxSessionHours: 4,
};

export const ACCOUNT_ID = '^[0-9]{12}$';
export const PRINCIPAL_ARN = '^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/[A-Za-z0-9+=,.@_/-]+|user/[A-Za-z0-9+=,.@_/-]+)$';

/** JSON Schema of the `access:` section (defaults live in `defaults`, documented here). */
export const schema: JsonSchema = {
  type: 'object',
  description:
    "Access for the people who run flows: a customer-managed IAM policy with exactly what running Metaflow against this deployment needs (the datastore, this deployment's Batch queues and metaflow_* job definitions, passing only this deployment's roles, its Step Functions state machines and EventBridge rules, Batch job logs, the API key), and optionally a role that given principals may assume. Attach the policy (stack output AccessUserPolicyArn) to your users, groups or permission sets, or assume the role (AccessUserRoleArn); the Metaflow config stays the same either way.",
  additionalProperties: false,
  properties: {
    readStackOutputs: {
      type: 'boolean',
      description:
        "Let the policy read this stack's outputs (cloudformation:DescribeStacks on this stack only), so users can write their Metaflow config with `mfinfra outputs` (default true).",
    },
    role: {
      type: 'object',
      additionalProperties: false,
      description: 'A role with the policy attached, for the principals listed here to assume.',
      properties: {
        trustedPrincipals: {
          type: 'array',
          description:
            'Who may assume the role: 12-digit account ids (anyone that account allows), or IAM role and user ARNs (arn:aws:iam::123456789012:role/ml-engineers).',
          items: {
            anyOf: [
              { type: 'string', pattern: ACCOUNT_ID },
              { type: 'string', pattern: PRINCIPAL_ARN },
            ],
            description: 'An account id or an IAM role/user ARN.',
          },
          uniqueItems: true,
          maxItems: 50,
        },
        ssoPermissionSets: {
          type: 'array',
          description:
            'IAM Identity Center permission set names (e.g. DataScientist) whose users may assume the role from this account (their AWSReservedSSO_<name>_* roles).',
          items: { type: 'string', pattern: '^[A-Za-z0-9+=,.@_-]{1,32}$', description: 'A permission set name.' },
          uniqueItems: true,
          maxItems: 20,
        },
        requireMfa: {
          type: 'boolean',
          description: 'Only sessions signed in with MFA may assume the role (aws:MultiFactorAuthPresent; default false).',
        },
        maxSessionHours: { type: 'integer', minimum: 1, maximum: 12, description: 'Longest session the role gives, in hours (default 4).' },
      },
    },
  },
};
