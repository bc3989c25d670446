/**
 * Waiting, our way: short first delays that back off (CloudFormation answers quick change sets in a
 * second or two; the SDK's change-set waiter starts at 30 s), abortable with Ctrl-C, and tolerant of
 * throttling that outlasted the SDK's own retries.
 */
import { ExitCode, MfinfraError } from '../errors.js';
import { isRetryable, isThrottling, toDeployError } from './awsErrors.js';
import { DeployErrorCode } from './codes.js';

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

/** Change sets: 1 s, 1.5 s, 2.25 s ... up to 5 s; 15 minutes at most. */
export const CHANGE_SET_POLL: PollTiming = { initialMs: 1_000, maxMs: 5_000, factor: 1.5, timeoutMs: 15 * 60_000 };
/** Stack operations (events and status): 2 s, up to 5 s; 2 hours at most (RDS and NAT gateways are slow). */
export const STACK_POLL: PollTiming = { initialMs: 2_000, maxMs: 5_000, factor: 1.25, timeoutMs: 2 * 60 * 60_000 };

/** Delays for a poll loop: initial, then times factor, capped at max. */
export function* backoff(timing: PollTiming): Generator<number, never> {
  let delay = timing.initialMs;
  for (;;) {
    yield delay;
    delay = Math.min(timing.maxMs, delay * timing.factor);
  }
}

/** An error that says the wait was interrupted (Ctrl-C). */
export function abortedError(message: string, hint?: string): MfinfraError {
  return new MfinfraError(DeployErrorCode.ABORTED, message, { hint, exitCode: ExitCode.ABORTED });
}

export function isAbortError(e: unknown): boolean {
  return MfinfraError.is(e) && e.code === DeployErrorCode.ABORTED;
}

/** Resolve after `ms`, or reject with an abort error as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError('interrupted'));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError('interrupted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface PollOptions {
  signal?: AbortSignal;
  /** Scale every delay (0 in tests). */
  delayScale?: number;
  /** Clock (tests). */
  now?: () => number;
}

/**
 * Call `step` until it returns a value other than `undefined`, sleeping between calls per `timing`.
 * Throttling / 5xx / network errors that survived the SDK's retries are waited out (up to 5 in a row).
 */
export async function pollUntil<T>(
  what: string,
  timing: PollTiming,
  step: () => Promise<T | undefined>,
  options: PollOptions = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const scale = options.delayScale ?? 1;
  const started = now();
  const delays = backoff(timing);
  let transientFailures = 0;
  for (;;) {
    if (options.signal?.aborted) throw abortedError('interrupted');
    try {
      const value = await step();
      transientFailures = 0;
      if (value !== undefined) return value;
    } catch (e) {
      if (MfinfraError.is(e) || !isRetryable(e) || ++transientFailures > 5) throw toDeployError(e, what);
    }
    if (now() - started > timing.timeoutMs) {
      throw new MfinfraError(DeployErrorCode.TIMEOUT, `gave up waiting to ${what} after ${Math.round(timing.timeoutMs / 60_000)} minutes`, {
        exitCode: ExitCode.FAILURE,
      });
    }
    const delay = delays.next().value * (transientFailures ? 2 ** transientFailures : 1);
    await sleep(delay * scale, options.signal);
  }
}

/**
 * One AWS call, with throttling retried a few times on top of the SDK's retries. Reads
 * (`idempotent`, the default) also retry 5xx and network errors; writes only throttling, which
 * guarantees the request did nothing (a retried ExecuteChangeSet after a 500 could re-run work).
 */
export async function callAws<T>(what: string, call: () => Promise<T>, options: PollOptions & { idempotent?: boolean } = {}): Promise<T> {
  const retryable = options.idempotent === false ? isThrottling : isRetryable;
  const scale = options.delayScale ?? 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (MfinfraError.is(e)) throw e;
      if (!retryable(e) || attempt >= 4) throw toDeployError(e, what);
      await sleep(1_000 * 2 ** (attempt - 1) * scale, options.signal);
    }
  }
}
