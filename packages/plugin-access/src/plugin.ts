import { definePlugin, getAtt, ref, scannerExceptions, type CfnResource, type CfnValue, type StackOutput } from '@mfinfra/core/plugin';
import { ROLE_DEFAULTS, defaults, schema, type AccessOptions } from './options.js';
import type { BatchApi, DatastoreApi, MetadataApi, SchedulingApi } from './peerApis.js';
import { trustPolicy, userPolicyExceptions, userPolicyStatements } from './policy.js';
import { VERSION } from './version.js';
import { starter } from './starter.js';

/** Logical ids (stable: renaming one replaces it). */
export const ID = { policy: 'AccessUserPolicy', role: 'AccessUserRole' } as const;
/** Stack outputs. */
export const OUTPUT = { policyArn: 'AccessUserPolicyArn', roleArn: 'AccessUserRoleArn' } as const;

/** What other plugins may read with `ctx.use('access')`. */
export interface AccessApi {
  /** The customer-managed policy for people who run flows. */
  policyArn: CfnValue;
  roleArn?: CfnValue;
}

/** `access.role` with {@link ROLE_DEFAULTS} filled in, or undefined without a role. */
export const accessRole = (options: AccessOptions) => (options.role === undefined ? undefined : { ...ROLE_DEFAULTS, ...options.role });

/** The access section resolved once per compile (see `resolve`). */
export interface AccessModel {
  /** What `ctx.use('access')` gives. */
  api: AccessApi;
  /** The role people assume, defaults filled in; undefined when the section has none. */
  role?: ReturnType<typeof accessRole>;
}

export function accessModel(options: AccessOptions): AccessModel {
  const role = accessRole(options);
  return { api: { policyArn: ref(ID.policy), ...(role !== undefined ? { roleArn: getAtt(ID.role, 'Arn') } : {}) }, role };
}

export const accessPlugin = definePlugin<AccessOptions, AccessApi, AccessModel>({
  name: 'mfinfra:access',
  apiVersion: 1,
  version: VERSION,
  description:
    'A least-privilege IAM policy (and optional role) with exactly what running Metaflow against this deployment needs: datastore, Batch, Step Functions, EventBridge, job logs, the API key',
  key: 'access',
  starter,
  schema,
  defaults,
  optionalSection: true,
  requires: ['datastore', 'batch'],
  uses: ['scheduling', 'metadata'],

  // Runs before resolve, so it fills in the role's defaults with the same accessRole.
  check(ctx, options) {
    const r = accessRole(options);
    if (r !== undefined && r.trustedPrincipals.length === 0 && r.ssoPermissionSets.length === 0) {
      ctx.report('the role has nobody to trust: nobody could assume it', {
        path: ['role'],
        hint: 'list role.trustedPrincipals (account ids, role or user ARNs) or role.ssoPermissionSets, or remove role and attach the policy instead',
        code: 'NO_PRINCIPALS',
      });
    }
  },

  resolve: (_ctx, options) => accessModel(options),

  api: (_ctx, _options, model) => model.api,

  resources(ctx, options, { api, role: r }) {
    const scheduling = ctx.use<SchedulingApi | undefined>('scheduling');
    const statements = userPolicyStatements({
      stackName: ctx.stack.name,
      datastore: ctx.use<DatastoreApi>('datastore'),
      batch: ctx.use<BatchApi>('batch'),
      scheduling,
      executionLogs: scheduling?.executionLogs === true,
      metadata: ctx.use<MetadataApi | undefined>('metadata'),
      readStackOutputs: options.readStackOutputs,
    });
    const exceptions = userPolicyExceptions(statements);
    const resources: Record<string, CfnResource> = {
      [ID.policy]: {
        Type: 'AWS::IAM::ManagedPolicy',
        Metadata: exceptions.length > 0 ? scannerExceptions(...exceptions) : undefined,
        Properties: {
          ManagedPolicyName: ctx.naming.physicalName('metaflow-users', { maxLength: 128 }),
          Description: `What people who run Metaflow flows on stack ${ctx.stack.name} need (mfinfra:access)`,
          PolicyDocument: { Version: '2012-10-17', Statement: statements as unknown as CfnValue[] },
        },
      },
    };
    if (r !== undefined) {
      resources[ID.role] = {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: ctx.naming.physicalName('metaflow-user', { maxLength: 64 }),
          Description: `Assumed by people who run Metaflow flows on stack ${ctx.stack.name}`,
          AssumeRolePolicyDocument: trustPolicy(r),
          MaxSessionDuration: r.maxSessionHours * 3600,
          ManagedPolicyArns: [api.policyArn],
        },
      };
    }
    return resources;
  },

  stackOutputs(_ctx, _options, { api }) {
    const outputs: Record<string, StackOutput> = {
      [OUTPUT.policyArn]: {
        value: api.policyArn,
        description: 'Policy for people who run flows: attach it to users, groups or permission sets',
      },
    };
    if (api.roleArn !== undefined) {
      outputs[OUTPUT.roleArn] = {
        value: api.roleArn,
        description: 'Role people who run flows assume (aws sts assume-role / a profile role_arn)',
      };
    }
    return outputs;
  },
});
