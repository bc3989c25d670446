/**
 * The one channel between an action (`src/actions/`) and whoever runs it: the CLI's terminal, its
 * `--json` mode, a test, or another program. Modelled on CDK toolkit-lib's IoHost:
 *
 * - `notify(message)`: something happened (a step, a stack event, a retry, a warning, a notice);
 * - `request(question)`: the action needs an answer (a confirmation) before it goes on.
 *
 * Every message has a `code` from {@link IO_CODES} and typed `data`; `message` is a default English
 * line a host may show, never something to match on (tests assert on codes and data). Nothing in the
 * library prints: a host decides what reaches the terminal.
 */
import type { MigrationReview } from '../actions/migrationSteps.js';
import type { Diagnostic } from '../errors.js';
import type { DeployStep, EventProgress, RetryInfo, StackEventLine } from '../deploy/progress.js';
import type { DestroyPlan, ImportPlan, PlanResult } from '../deploy/types.js';
import type { GateResult } from '../preview/gates.js';
import type { PreviewModel } from '../preview/model.js';

export type IoLevel = 'error' | 'warn' | 'info' | 'debug';

/** A change set, previewed and judged by the safety gates: what `apply` shows before it asks. */
export interface ReviewedChangeSet {
  plan: PlanResult;
  preview: PreviewModel;
  gates: GateResult;
}

/** An IMPORT change set, previewed: what `adopt` shows before it asks. */
export interface ReviewedImport {
  plan: ImportPlan;
  preview: PreviewModel;
}

/** A migration step about to run, numbered among all the steps: what `migrate` shows before it asks. */
export type ReviewedMigrationStep = MigrationReview & { number: number; of: number };

/** What each notification carries, by code. */
export interface IoNotifications {
  COMPILE_WARNINGS: { warnings: Diagnostic[] };
  SDK_NOTICE: { notice: string };
  DEPLOY_STEP: DeployStep;
  STACK_EVENT: { event: StackEventLine; progress: EventProgress };
  RETRY: RetryInfo;
  CHANGE_SET_REVIEW: ReviewedChangeSet & { yes: boolean };
  DESTROY_REVIEW: { plan: DestroyPlan; region: string };
  IMPORT_REVIEW: ReviewedImport & { yes: boolean };
  MIGRATION_STEP_REVIEW: ReviewedMigrationStep & { yes: boolean };
}

/** What each question carries and what its answer is, by code. */
export interface IoRequests {
  CONFIRM_RECREATE: { data: { stackName: string; status: string }; response: boolean };
  CONFIRM_DEPLOY: { data: ReviewedChangeSet; response: boolean };
  CONFIRM_DESTROY: {
    data: {
      plan: DestroyPlan;
      region: string;
      /** Why a y/N answer is not enough and the stack name must be typed (undefined: y/N). */
      typeStackName?: string;
    };
    response: boolean;
  };
  CONFIRM_IMPORT: { data: ReviewedImport; response: boolean };
  CONFIRM_MIGRATION_STEP: { data: ReviewedMigrationStep; response: boolean };
}

export type IoNotificationCode = keyof IoNotifications;
export type IoRequestCode = keyof IoRequests;
export type IoCode = IoNotificationCode | IoRequestCode;

/**
 * Every code, in one table: its kind, its level, and what it means. Hosts switch on `code`; the
 * level says how loud a default host should be (`debug`: only when asked for).
 *
 * | code                   | kind    | level | sent when                                                               |
 * | ---------------------- | ------- | ----- | ----------------------------------------------------------------------- |
 * | COMPILE_WARNINGS       | notify  | warn  | the manifest compiled with warnings (all of them in one message)        |
 * | SDK_NOTICE             | notify  | debug | the AWS SDK had something to say about itself (e.g. Node.js support)    |
 * | DEPLOY_STEP            | notify  | info  | a deploy step starts (create change set, execute, delete, cleanup ...)  |
 * | STACK_EVENT            | notify  | info  | a stack event of this run's operation, with the n/N resources done      |
 * | RETRY                  | notify  | warn  | an AWS call failed (throttled, 5xx, timeout) and is tried again         |
 * | CHANGE_SET_REVIEW      | notify  | info  | apply: the change set is previewed and gated, before any question       |
 * | DESTROY_REVIEW         | notify  | info  | destroy: what is deleted and what is retained, before the question      |
 * | IMPORT_REVIEW          | notify  | info  | adopt: the IMPORT change set is previewed, before the question          |
 * | MIGRATION_STEP_REVIEW  | notify  | info  | migrate: what the next step does (and its preview), before the question |
 * | CONFIRM_RECREATE       | request | info  | a stack whose creation failed must be deleted before it is made again   |
 * | CONFIRM_DEPLOY         | request | info  | apply: execute this change set? (not asked when a gate refuses)         |
 * | CONFIRM_DESTROY        | request | info  | destroy: delete this stack? (`typeStackName`: the name must be typed)   |
 * | CONFIRM_IMPORT         | request | info  | adopt: import these resources? (not asked with `yes`)                   |
 * | CONFIRM_MIGRATION_STEP | request | info  | migrate: run this step? (not asked with `yes`, nor when a gate refuses) |
 */
export const IO_CODES = {
  COMPILE_WARNINGS: { kind: 'notify', level: 'warn' },
  SDK_NOTICE: { kind: 'notify', level: 'debug' },
  DEPLOY_STEP: { kind: 'notify', level: 'info' },
  STACK_EVENT: { kind: 'notify', level: 'info' },
  RETRY: { kind: 'notify', level: 'warn' },
  CHANGE_SET_REVIEW: { kind: 'notify', level: 'info' },
  DESTROY_REVIEW: { kind: 'notify', level: 'info' },
  IMPORT_REVIEW: { kind: 'notify', level: 'info' },
  MIGRATION_STEP_REVIEW: { kind: 'notify', level: 'info' },
  CONFIRM_RECREATE: { kind: 'request', level: 'info' },
  CONFIRM_DEPLOY: { kind: 'request', level: 'info' },
  CONFIRM_DESTROY: { kind: 'request', level: 'info' },
  CONFIRM_IMPORT: { kind: 'request', level: 'info' },
  CONFIRM_MIGRATION_STEP: { kind: 'request', level: 'info' },
} as const satisfies { [C in IoNotificationCode]: { kind: 'notify'; level: IoLevel } } & {
  [C in IoRequestCode]: { kind: 'request'; level: IoLevel };
};

export interface IoMessage<C extends IoNotificationCode = IoNotificationCode> {
  code: C;
  level: IoLevel;
  /** A default English line for people; not for matching. */
  message: string;
  data: IoNotifications[C];
  time: Date;
}

export interface IoRequest<C extends IoRequestCode = IoRequestCode> {
  code: C;
  level: IoLevel;
  /** The question in English (a terminal host asks it). */
  message: string;
  data: IoRequests[C]['data'];
  /** The answer when nobody can answer (a host without a person, a non-interactive run). */
  defaultResponse: IoRequests[C]['response'];
  time: Date;
}

/** Any notification, narrowed by its code. */
export type AnyIoMessage = { [C in IoNotificationCode]: IoMessage<C> }[IoNotificationCode];
/** Any question, narrowed by its code. */
export type AnyIoRequest = { [C in IoRequestCode]: IoRequest<C> }[IoRequestCode];
export type IoResponse<C extends IoRequestCode> = IoRequests[C]['response'];

export interface IoHost {
  /** Something happened. Must not throw; must not block (it is not awaited). */
  notify(message: AnyIoMessage): void;
  /** A question the action waits for. */
  request<C extends IoRequestCode>(question: IoRequest<C>): Promise<IoResponse<C>>;
}

/** Build a notification for `code` (its level from {@link IO_CODES}). */
export function ioMessage<C extends IoNotificationCode>(code: C, message: string, data: IoNotifications[C]): IoMessage<C> {
  return { code, level: IO_CODES[code].level, message, data, time: new Date() };
}

/** Build a question for `code` (its level from {@link IO_CODES}). */
export function ioRequest<C extends IoRequestCode>(
  code: C,
  message: string,
  data: IoRequests[C]['data'],
  defaultResponse: IoResponse<C>,
): IoRequest<C> {
  return { code, level: IO_CODES[code].level, message, data, defaultResponse, time: new Date() };
}

/** Send one notification (shorthand for `io.notify(ioMessage(...))`). */
export function notify<C extends IoNotificationCode>(io: IoHost, code: C, message: string, data: IoNotifications[C]): void {
  io.notify(ioMessage(code, message, data) as AnyIoMessage);
}

/** Ask one question (shorthand for `io.request(ioRequest(...))`). */
export function request<C extends IoRequestCode>(
  io: IoHost,
  code: C,
  message: string,
  data: IoRequests[C]['data'],
  defaultResponse: IoResponse<C>,
): Promise<IoResponse<C>> {
  return io.request(ioRequest(code, message, data, defaultResponse));
}

/** A host nobody watches: notifications are dropped, every question gets its default answer (no). */
export const quietIoHost: IoHost = {
  notify: () => undefined,
  request: async (question) => question.defaultResponse,
};
