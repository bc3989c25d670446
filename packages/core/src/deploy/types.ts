/** What the deploy functions accept and return. Plain data; nothing here prints. */
import type { Change, Stack } from '@aws-sdk/client-cloudformation';
import type { CfnTemplate } from '../compile/template.js';
import type { PreviewModel } from '../preview/model.js';

export type { DeployStep } from './progress.js';

export interface PlanOptions {
  /** S3 bucket for templates over 51,200 bytes (else the manifest's stack.templateBucket). */
  templateBucket?: string;
  /** Wait for a running stack operation to finish instead of refusing. */
  waitForBusy?: boolean;
  /** Run ContinueUpdateRollback on a stack in UPDATE_ROLLBACK_FAILED first. */
  continueRollback?: boolean;
  /** A stack in ROLLBACK_COMPLETE may be deleted and created again (still asked with CONFIRM_RECREATE, unless `yes`). */
  recreateFailed?: boolean;
  /** The user said yes up front (`--yes`). */
  yes?: boolean;
  /** Override the manifest's stack.roleArn. */
  roleArn?: string;
  /** Override the manifest's stack.notificationArns. */
  notificationArns?: string[];
}

/** What every plan says, whether or not a change set waits for review. */
interface PlanCommon {
  stackName: string;
  region: string;
  /** Status before the plan (undefined: no stack). */
  previousStatus?: string;
  changeSetType: 'CREATE' | 'UPDATE';
  changeSetName: string;
  stackId?: string;
  /** The change set's StatusReason (may carry a [WARN] about dropped property values). */
  statusReason?: string;
  /** Every page of DescribeChangeSet's Changes. */
  changes: Change[];
  /** The deployed template (GetTemplate), for updates. */
  oldTemplate?: object;
  newTemplate: CfnTemplate;
  /** The change set's CreationTime (AWS's clock): events after it belong to its execution. */
  createdAt?: Date;
  /** The template was uploaded here (over 51,200 bytes). */
  templateUploadedTo?: string;
  /** The stack that mfinfra read before planning (outputs for a no-change apply). */
  stack?: Stack;
  /** The stack exists only as a REVIEW_IN_PROGRESS placeholder (delete it if the user aborts). */
  placeholder: boolean;
  /** Steps that changed the stack before the change set (ContinueUpdateRollback, recreate). */
  recovered?: 'continue-rollback' | 'recreated';
}

/** There are changes: a change set waits for review, and apply executes it. */
export interface PlanWithChanges extends PlanCommon {
  status: 'changes';
  /** The change set's ARN; undefined when the plan discarded it (`--discard`, or a refused change). */
  changeSetId?: string;
  noChangeReason?: undefined;
}

/** Nothing to deploy: the change set was deleted (none is left to review). */
export interface PlanWithoutChanges extends PlanCommon {
  status: 'no-changes';
  changeSetId?: undefined;
  /** Why there is nothing to deploy (CloudFormation's or the emulator's words). */
  noChangeReason?: string;
}

/** A plan's result, told apart by `status`. */
export type PlanResult = PlanWithChanges | PlanWithoutChanges;

export interface ApplyOptions {
  /** `--disable-rollback`: keep failed resources for debugging (stack stays *_FAILED). */
  disableRollback?: boolean;
}

export interface ApplyResult {
  stackName: string;
  stackId?: string;
  changeSetId?: string;
  /** `no-changes`: nothing was executed. */
  status: 'deployed' | 'no-changes';
  finalStatus?: string;
  outputs: Record<string, string>;
  events: number;
  /** The stack's events could not be read (why); the status was followed without them. */
  eventsUnavailable?: string;
  /** The change set the stack says it last executed (DescribeStacks ChangeSetId), when it says. */
  lastChangeSetId?: string;
  terminationProtection?: boolean;
}

export type DeletionOutcome = 'delete' | 'retain' | 'snapshot';

export interface DestroyResource {
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** The DeletionPolicy in force (template value, or CloudFormation's default). */
  deletionPolicy: string;
  /** What deleting the stack does to this resource. */
  outcome: DeletionOutcome;
}

export interface DestroyPlan {
  stackName: string;
  /** Undefined: there is no stack; nothing to destroy. */
  stackId?: string;
  status?: string;
  terminationProtection: boolean;
  resources: DestroyResource[];
  /** Resources that survive the deletion (Retain) or leave a snapshot (Snapshot). */
  retained: DestroyResource[];
}

/** A property whose live value differs from the template's. */
export interface PropertyMismatch {
  property: string;
  /** The value the live resource has (undefined: not set). */
  live: unknown;
  /** The value the template asks for. */
  template: unknown;
  /**
   * `replace`: changing it replaces the resource (never imported). `update`: the next update would
   * change the resource in place. `reference`: the template's value refers to a resource the stack
   * does not have yet.
   */
  kind: 'replace' | 'update' | 'reference';
}

export interface PlannedImport {
  logicalId: string;
  resourceType: string;
  physicalId: string;
  identifier: Record<string, string>;
  /** With `updateAfterImport`: imported with these live values; the next `mfinfra apply` changes them (previewed). */
  deferred: PropertyMismatch[];
  /** Template properties that were not compared (values only AWS resolves, or not readable). */
  notCompared: string[];
}

export interface ImportPlan {
  stackName: string;
  /** The template of the IMPORT change set. */
  template: CfnTemplate;
  imports: PlannedImport[];
}

export interface ImportReview {
  plan: ImportPlan;
  preview: PreviewModel;
  changeSetName: string;
  changes: Change[];
}
