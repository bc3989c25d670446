/**
 * What every deploy function runs with: the AWS clients, the IoHost that shows progress and asks
 * questions, Ctrl-C, and the poll timings. Its own module above both the message table
 * (iohost/messages.ts, whose payloads are deploy data types) and the plain data of types.ts.
 */
import type { AwsClients } from '../aws/clients.js';
import type { IoHost } from '../iohost/messages.js';
import type { PollTiming } from './progress.js';

export interface DeployContext {
  clients: AwsClients;
  /**
   * Where progress (DEPLOY_STEP, STACK_EVENT, RETRY) goes and questions (CONFIRM_*) are asked
   * (iohost/messages.ts). Without one, nothing is shown and every question is answered no.
   */
  io?: IoHost;
  /**
   * Ctrl-C: no request that changes anything goes out after it fires; reads and waits stop at once.
   * An operation CloudFormation already runs (an executed change set, a deletion) continues in AWS.
   */
  signal?: AbortSignal;
  /** Give up on a call that keeps failing for this long, ms (default 2 minutes). */
  retryBudgetMs?: number;
  /** Scale every poll delay (0 in tests). */
  delayScale?: number;
  timing?: { changeSet?: PollTiming; stack?: PollTiming };
  now?: () => Date;
}
