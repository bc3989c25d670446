/**
 * `scheduling.existing`: reuse the Step Functions role, the EventBridge role and the DynamoDB table
 * of a deployment made by hand (Metaflow's manual deployment guide) or by another tool. Nothing of
 * scheduling is created; when the batch job role is this stack's, it still gets access to the table.
 * Offline the ARNs and names are checked for shape; at plan/apply `verify` checks them against AWS.
 */
import {
  keysRefusedWithExisting,
  parseArn,
  reportMixedAccounts,
  reportRole,
  roleNameFromArn,
  roleArnSchema,
  roleOrUndefined,
  stackArn,
  undefinedIfNotFound,
  type CfnValue,
  type ConfigOutputValue,
  type JsonSchema,
  type LiveContext,
  type PluginContext,
} from '@mfinfra/core/plugin';

export interface ExistingScheduling {
  /** METAFLOW_SFN_IAM_ROLE */
  stepFunctionsRole: string;
  /** METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE */
  eventBridgeRole?: string;
  /** METAFLOW_SFN_DYNAMO_DB_TABLE: name or ARN. */
  table: string;
  /** METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN */
  executionLogGroup?: string;
}

const TABLE_NAME = '[A-Za-z0-9_.-]{3,255}';
const TABLE_PATTERN = `^(${TABLE_NAME}|arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/${TABLE_NAME})$`;
const LOG_GROUP_PATTERN = '^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[A-Za-z0-9_/.#-]{1,512}(:\\*)?$';

export const existingSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['stepFunctionsRole', 'table'],
  description:
    'Reuse the Step Functions role, EventBridge role and DynamoDB table of an existing deployment; nothing of scheduling is created. Checked against AWS at plan and apply.',
  properties: {
    stepFunctionsRole: roleArnSchema(
      'METAFLOW_SFN_IAM_ROLE: ARN of the role Step Functions runs state machines with; it must trust states.amazonaws.com.',
    ),
    eventBridgeRole: roleArnSchema(
      'METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE: ARN of the role EventBridge schedules (@schedule) start state machines with; it must trust events.amazonaws.com.',
    ),
    table: {
      type: 'string',
      maxLength: 2048,
      pattern: TABLE_PATTERN,
      description: 'METAFLOW_SFN_DYNAMO_DB_TABLE: the DynamoDB table name or ARN; its key must be pathspec (a string) and its TTL on ttl.',
    },
    executionLogGroup: {
      type: 'string',
      maxLength: 2048,
      pattern: LOG_GROUP_PATTERN,
      description: 'METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN: ARN of the log group for --log-execution-history (optional).',
    },
  },
};

/** With `existing`, the keys that would create something are refused at their position. */
const CREATING_KEYS = ['eventBridge', 'dynamoDb', 'executionLogs'] as const;
export const existingExcludes: JsonSchema = keysRefusedWithExisting(
  CREATING_KEYS,
  (k) => `scheduling.existing reuses the roles and table and creates nothing: remove ${k}, or remove existing to let mfinfra create them`,
);

export function tableName(existing: ExistingScheduling): string {
  return existing.table.startsWith('arn:') ? existing.table.slice(existing.table.indexOf(':table/') + ':table/'.length) : existing.table;
}

export function tableArn(existing: ExistingScheduling): CfnValue {
  return existing.table.startsWith('arn:') ? existing.table : stackArn('dynamodb', `table/${existing.table}`);
}

/** Offline: ARNs in the stack's region, all of one account. */
export function checkExisting(ctx: PluginContext, existing: ExistingScheduling): void {
  const region = ctx.stack.region;
  const accounts: [string, string][] = [];
  for (const key of ['stepFunctionsRole', 'eventBridgeRole', 'table', 'executionLogGroup'] as const) {
    const value = existing[key];
    const arn = value?.startsWith('arn:') ? parseArn(value) : undefined;
    if (!arn) continue;
    accounts.push([key, arn.account]);
    if (arn.region && region && arn.region !== region) {
      ctx.report(`scheduling.existing.${key} is in ${arn.region}, but the stack deploys to ${region}`, {
        path: ['existing', key],
        code: 'SCHEDULING_EXISTING_OTHER_REGION',
        hint: `Metaflow's state machines run in the stack's region: give one in ${region}, or change stack.region`,
      });
    }
  }
  reportMixedAccounts(ctx, accounts, {
    section: 'scheduling',
    code: 'SCHEDULING_EXISTING_OTHER_ACCOUNT',
    hint: 'give the roles and table of one account',
  });
}

export function existingOutputs(existing: ExistingScheduling, stateMachinePrefix: string | undefined): Record<string, ConfigOutputValue> {
  const out: Record<string, ConfigOutputValue> = {
    METAFLOW_SFN_IAM_ROLE: { value: existing.stepFunctionsRole, description: 'the existing role Step Functions runs state machines with' },
    METAFLOW_SFN_DYNAMO_DB_TABLE: { value: existing.table, description: 'the existing DynamoDB table for foreach state' },
  };
  if (existing.eventBridgeRole) {
    out.METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE = {
      value: existing.eventBridgeRole,
      description: 'the existing role EventBridge schedules start state machines with',
    };
  }
  if (existing.executionLogGroup) {
    out.METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN = { value: existing.executionLogGroup, description: 'the existing execution log group' };
  }
  // The prefix is the deployment's choice, not a resource: set only when the manifest says it.
  if (stateMachinePrefix !== undefined) {
    out.METAFLOW_SFN_STATE_MACHINE_PREFIX = { value: stateMachinePrefix, description: 'prefix of Metaflow state machine names' };
  }
  return out;
}

/**
 * At plan/apply: each role exists with the ARN given and trusts its service; the table exists, its
 * only key is the string `pathspec`, and its TTL is on `ttl`.
 */
export async function verifyExisting(ctx: LiveContext, existing: ExistingScheduling): Promise<void> {
  const { GetRoleCommand, IAMClient } = await import('@aws-sdk/client-iam');
  const { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const signal = ctx.signal ? { abortSignal: ctx.signal } : {};

  const iam = ctx.aws.client(IAMClient);
  const roles = [
    ['stepFunctionsRole', 'states.amazonaws.com', 'Step Functions runs state machines'],
    ['eventBridgeRole', 'events.amazonaws.com', 'EventBridge starts state machines on a schedule'],
  ] as const;
  for (const [key, service, why] of roles) {
    const arn = existing[key];
    if (!arn) continue;
    const found = await roleOrUndefined(() => iam.send(new GetRoleCommand({ RoleName: roleNameFromArn(arn) }), signal));
    reportRole(
      ctx,
      {
        arn,
        path: ['existing', key],
        service,
        notFoundCode: 'SCHEDULING_ROLE_NOT_FOUND',
        wrongTrustCode: 'SCHEDULING_ROLE_WRONG_TRUST',
        trustHint: `${why} with this role: its trust policy must allow ${service} to sts:AssumeRole`,
      },
      found,
    );
  }

  const path = ['existing', 'table'];
  const arn = existing.table.startsWith('arn:') ? parseArn(existing.table) : undefined;
  if (arn && arn.region !== ctx.aws.region) {
    ctx.report(`table ${existing.table} is in ${arn.region}, but this deploy goes to ${ctx.aws.region}`, {
      path,
      code: 'SCHEDULING_EXISTING_OTHER_REGION',
      hint: `give a table in ${ctx.aws.region}, or deploy to ${arn.region} (--region)`,
    });
    return;
  }
  const ddb = ctx.aws.client(DynamoDBClient);
  const name = tableName(existing);
  const table = (
    await undefinedIfNotFound('ResourceNotFoundException', () => ddb.send(new DescribeTableCommand({ TableName: name }), signal))
  )?.Table;
  if (!table) {
    ctx.report(`DynamoDB table ${name} does not exist in ${ctx.aws.region}`, {
      path,
      code: 'SCHEDULING_TABLE_NOT_FOUND',
      hint: 'check the name (aws dynamodb describe-table --table-name <name>), the region and the account',
    });
    return;
  }
  const found = table;
  const keys = (found.KeySchema ?? []).map((k) => {
    const type = found.AttributeDefinitions?.find((a) => a.AttributeName === k.AttributeName)?.AttributeType;
    return `${k.AttributeName} (${k.KeyType}${type ? `, ${type}` : ''})`;
  });
  const hash = table.KeySchema?.find((k) => k.KeyType === 'HASH');
  const hashType = table.AttributeDefinitions?.find((a) => a.AttributeName === hash?.AttributeName)?.AttributeType;
  if (hash?.AttributeName !== 'pathspec' || hashType !== 'S' || (table.KeySchema?.length ?? 0) !== 1) {
    ctx.report(
      `DynamoDB table ${name} has the key ${keys.join(' + ') || 'none'}; Metaflow needs one partition key pathspec (a string), no sort key`,
      {
        path,
        code: 'SCHEDULING_TABLE_WRONG_KEY',
        hint: 'give the table Metaflow was set up with, or leave existing out to let mfinfra create one (a table key cannot be changed)',
      },
    );
    return;
  }
  const ttl = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: name }), signal)).TimeToLiveDescription;
  const on = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
  if (!on || ttl?.AttributeName !== 'ttl') {
    ctx.report(
      `DynamoDB table ${name} has ${on ? `its TTL on ${ttl?.AttributeName}` : `TTL ${(ttl?.TimeToLiveStatus ?? 'DISABLED').toLowerCase()}`}; Metaflow writes expiry times to ttl`,
      {
        path,
        code: 'SCHEDULING_TABLE_NO_TTL',
        hint: `turn TTL on for the attribute ttl (aws dynamodb update-time-to-live --table-name ${name} --time-to-live-specification Enabled=true,AttributeName=ttl), or foreach state is never cleaned up`,
      },
    );
  }
}
