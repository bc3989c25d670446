import { definePlugin, getAtt, ref, type ConfigOutputValue, type CfnValue } from '@mfinfra/core/plugin';
import { checkExisting, existingOutputs, tableArn, tableName, verifyExisting, type ExistingScheduling } from './existing.js';
import { ID } from './ids.js';
import { MAX_PREFIX_LENGTH, defaults, schema, type SchedulingOptions } from './options.js';
import type { BatchApi, DatastoreApi } from './peerApis.js';
import { jobRoleTablePolicy, schedulingResources } from './resources.js';
import { starter } from './starter.js';

/** What other plugins may read with `ctx.use('scheduling')`. */
export interface SchedulingApi {
  stepFunctionsRoleArn: CfnValue;
  eventBridgeRoleArn?: CfnValue;
  tableName: CfnValue;
  tableArn: CfnValue;
  stateMachinePrefix: string;
  /**
   * `scheduling.executionLogs.enabled`: flows may be deployed with `--log-execution-history`, so whoever
   * creates state machines needs the CloudWatch Logs delivery actions.
   */
  executionLogs: boolean;
}

/** The state machine prefix: the manifest's, else the stack name. */
export function statePrefix(stackName: string, options: SchedulingOptions): string {
  return options.stateMachinePrefix ?? stackName;
}

/** The scheduling section resolved once per compile (see `resolve`): what other plugins read, and the reused parts. */
export interface SchedulingModel {
  /** What `ctx.use('scheduling')` gives (the roles, the table, the state machine prefix). */
  api: SchedulingApi;
  /** `scheduling.existing`: the roles and table are reused, nothing of them is created. */
  existing?: ExistingScheduling;
}

/** The api, made once: created roles and table, or the existing ones. */
export function schedulingModel(stackName: string, options: SchedulingOptions): SchedulingModel {
  const stateMachinePrefix = statePrefix(stackName, options);
  const { existing } = options;
  if (existing) {
    return {
      existing,
      api: {
        stepFunctionsRoleArn: existing.stepFunctionsRole,
        eventBridgeRoleArn: existing.eventBridgeRole,
        tableName: tableName(existing),
        tableArn: tableArn(existing),
        stateMachinePrefix,
        executionLogs: options.executionLogs.enabled,
      },
    };
  }
  return {
    api: {
      stepFunctionsRoleArn: getAtt(ID.stepFunctionsRole, 'Arn'),
      eventBridgeRoleArn: options.eventBridge ? getAtt(ID.eventBridgeRole, 'Arn') : undefined,
      tableName: ref(ID.stateTable),
      tableArn: getAtt(ID.stateTable, 'Arn'),
      stateMachinePrefix,
      executionLogs: options.executionLogs.enabled,
    },
  };
}

export const schedulingPlugin = definePlugin<SchedulingOptions, SchedulingApi, SchedulingModel>({
  name: 'mfinfra:scheduling',
  apiVersion: 1,
  description: 'Step Functions and EventBridge roles, the DynamoDB foreach table and an execution log group for Metaflow scheduling',
  key: 'scheduling',
  starter,
  schema,
  defaults,
  optionalSection: true,
  requires: ['batch', 'datastore'],

  check(ctx, options) {
    // An existing job role with an existing table: the deployment they come from already grants it.
    if (options.existing) {
      checkExisting(ctx, options.existing);
    } else if (ctx.use<BatchApi>('batch').jobRoleName === undefined) {
      ctx.warn('the existing Batch job role must be allowed dynamodb:GetItem, PutItem and UpdateItem on the table this stack creates', {
        rootPath: ['batch', 'existing', 'jobRole'],
        code: 'EXISTING_JOB_ROLE_TABLE_ACCESS',
        hint: 'add that grant to the job role (the table is METAFLOW_SFN_DYNAMO_DB_TABLE in the config apply writes), or foreach steps on Step Functions fail',
      });
    }
    const prefix = statePrefix(ctx.stack.name, options);
    if (!options.existing && options.stateMachinePrefix === undefined && prefix.length > MAX_PREFIX_LENGTH) {
      ctx.report(`the stack name is ${prefix.length} characters, too long to prefix state machine names (at most ${MAX_PREFIX_LENGTH})`, {
        rootPath: ['stack', 'name'],
        hint: `set scheduling.stateMachinePrefix to a shorter name (Metaflow's state machine names must fit in 80 characters)`,
        code: 'PREFIX_TOO_LONG',
      });
    }
    if (!ctx.loaded.has('metadata')) {
      ctx.warn("Metaflow's Step Functions integration needs the metadata service (METAFLOW_DEFAULT_METADATA=service)", {
        hint: 'add metadata to plugins, or point Metaflow at an existing metadata service',
        code: 'NO_METADATA_SERVICE',
      });
    }
  },

  resolve: (ctx, options) => schedulingModel(ctx.stack.name, options),

  api: (_ctx, _options, model) => model.api,

  resources(ctx, options, { api, existing }) {
    const batch = ctx.use<BatchApi>('batch');
    if (existing) {
      return batch.jobRoleName === undefined
        ? {}
        : { [ID.jobRoleTablePolicy]: jobRoleTablePolicy(options, batch.jobRoleName, api.tableArn) };
    }
    return schedulingResources(ctx, options, api.stateMachinePrefix, batch, ctx.use<DatastoreApi>('datastore'));
  },

  outputs(_ctx, options, { api, existing }) {
    if (existing) return existingOutputs(existing, options.stateMachinePrefix);
    const outputs: Record<string, ConfigOutputValue> = {
      METAFLOW_SFN_IAM_ROLE: { value: api.stepFunctionsRoleArn, description: 'role Step Functions runs Metaflow state machines with' },
      METAFLOW_SFN_DYNAMO_DB_TABLE: { value: api.tableName, description: 'DynamoDB table for foreach state' },
      METAFLOW_SFN_STATE_MACHINE_PREFIX: { value: api.stateMachinePrefix, description: 'prefix of Metaflow state machine names' },
    };
    if (api.eventBridgeRoleArn !== undefined) {
      outputs.METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE = {
        value: api.eventBridgeRoleArn,
        description: 'role EventBridge schedules start state machines with',
      };
    }
    if (api.executionLogs) {
      outputs.METAFLOW_SFN_EXECUTION_LOG_GROUP_ARN = {
        value: getAtt(ID.executionLogGroup, 'Arn'),
        description: 'log group for --log-execution-history',
      };
    }
    return outputs;
  },

  async verify(ctx, _options, { existing }) {
    if (existing) await verifyExisting(ctx, existing);
  },
});
