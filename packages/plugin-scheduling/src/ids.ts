/** Logical ids of every resource the scheduling plugin creates (stable: renaming one replaces it). */
export const ID = {
  stateTable: 'SchedulingStateTable',
  stepFunctionsRole: 'SchedulingStepFunctionsRole',
  eventBridgeRole: 'SchedulingEventBridgeRole',
  jobRoleTablePolicy: 'SchedulingBatchJobTablePolicy',
  executionLogGroup: 'SchedulingExecutionLogGroup',
} as const;

/** The EventBridge rule Step Functions manages for `.sync` Batch tasks (a fixed AWS name). */
export const BATCH_EVENTS_RULE = 'StepFunctionsGetEventsForBatchJobsRule';

/** Metaflow registers its Batch job definitions as `metaflow_<sha224>`. */
export const JOB_DEFINITION_PREFIX = 'metaflow_';
