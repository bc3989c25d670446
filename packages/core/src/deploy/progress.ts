/**
 * What deploy progress carries (types only, no imports): the steps, retries and stack events the
 * deploy functions report through the IoHost (iohost/messages.ts) and the poll timings. A leaf, so
 * the message table, the reporters and the pollers can all name these types without importing one
 * another. The modules they came from (types.ts, poll.ts, events.ts) re-export them.
 */

/** A step worth a line of progress ("creating change set ...", "waiting for ..."). */
export interface DeployStep {
  step:
    | 'wait-busy'
    | 'continue-rollback'
    | 'delete-failed-stack'
    | 'upload-template'
    | 'create-change-set'
    | 'execute'
    | 'delete'
    | 'cleanup'
    | 'termination-protection'
    | 'drift'
    | 'snapshot';
  message: string;
}

export interface PollTiming {
  /** First delay between polls, ms. */
  initialMs: number;
  /** Largest delay between polls, ms. */
  maxMs: number;
  /** Each delay is the previous one times this. */
  factor: number;
  /** Give up after this long, ms. */
  timeoutMs: number;
}

/** One failed AWS call that is about to be tried again (so long waits say what they wait for). */
export interface RetryInfo {
  /** What mfinfra was doing ("wait for the change set"). */
  what: string;
  /** AWS's (or the network's) answer, in a few words. */
  reason: string;
  /** Failures in a row so far. */
  failures: number;
  /** How long until the next try, ms (unscaled). */
  delayMs: number;
  /** How much longer mfinfra keeps trying before it gives up, ms (unscaled). */
  giveUpInMs: number;
}

/** One stack event, as mfinfra shows it. */
export interface StackEventLine {
  id: string;
  timestamp: string;
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  status: string;
  reason?: string;
  /** A *_FAILED status (shown highlighted, with its reason). */
  failed: boolean;
  /** The event is about the stack itself, not one of its resources. */
  isStack: boolean;
}

export interface EventProgress {
  /** Resources that reached a final status in this operation. */
  done: number;
  /** Resources the operation touches (the change set's changes), when known. */
  total?: number;
}
