/**
 * Waiting, our way: short first delays that back off (CloudFormation answers quick change sets in a
 * second or two; the SDK's change-set waiter starts at 30 s), abortable with Ctrl-C, and tolerant of
 * throttling that outlasted the SDK's own retries.
 */
import { ErrorCode, fail, MfinfraError, restate } from '../errors.js';
import { isRetryable, isThrottling, toDeployError } from './awsErrors.js';
import type { DeployContext } from './context.js';
import { retryReporter } from './report.js';
import type { PollTiming, RetryInfo } from './progress.js';

export type { PollTiming, RetryInfo } from './progress.js';

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
  return fail.ABORTED(message, { hint });
}

export function isAbortError(e: unknown): boolean {
  return MfinfraError.is(e) && e.code === ErrorCode.ABORTED;
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
  /** Told before each retry of a failed call. */
  onRetry?: (info: RetryInfo) => void;
  /** Give up on a call (or a poll) that keeps failing for this long, ms (default {@link RETRY_BUDGET_MS}). */
  retryBudgetMs?: number;
}

/** How long mfinfra keeps retrying a call that is throttled, answers 5xx or times out, before it gives up. */
export const RETRY_BUDGET_MS = 120_000;

/** What the SDK call gets: the abort signal, for reads (a write is let finish, so we know what it did). */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

/** Throw the abort error if Ctrl-C was pressed: call before every request that changes something. */
export function throwIfAborted(signal: AbortSignal | undefined, message = 'interrupted'): void {
  if (signal?.aborted) throw abortedError(message);
}

/** The SDK gave up because the signal fired. */
function isSdkAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) && (e as { name?: string })?.name === 'AbortError';
}

/** A failure in a few words, for progress lines. */
export function shortReason(e: unknown): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  const name = err?.name ?? 'Error';
  const message = (err?.message ?? '').split('\n')[0]!.slice(0, 100);
  return `${name}${status ? ` (HTTP ${status})` : ''}${message && message !== name ? `: ${message}` : ''}`;
}

/**
 * Call `step` until it returns a value other than `undefined`, sleeping between calls per `timing`.
 * Throttling / 5xx / network errors that survived the SDK's retries are waited out (up to 5 in a row).
 */
export async function pollUntil<T>(
  what: string,
  timing: PollTiming,
  step: (call: CallOptions) => Promise<T | undefined>,
  options: PollOptions = {},
): Promise<T> {
  const now = options.now ?? Date.now;
  const scale = options.delayScale ?? 1;
  const budget = options.retryBudgetMs ?? RETRY_BUDGET_MS;
  const started = now();
  const delays = backoff(timing);
  let transientFailures = 0;
  let failingSince = 0;
  for (;;) {
    if (options.signal?.aborted) throw abortedError('interrupted');
    let failure: unknown;
    try {
      const value = await step({ abortSignal: options.signal });
      transientFailures = 0;
      if (value !== undefined) return value;
    } catch (e) {
      if (isSdkAbort(e, options.signal)) throw abortedError('interrupted');
      if (MfinfraError.is(e) || !isRetryable(e)) throw toDeployError(e, what);
      if (++transientFailures === 1) failingSince = now();
      const failingFor = now() - failingSince;
      if (transientFailures > 8 || (transientFailures > 1 && failingFor >= budget)) throw gaveUp(e, what, transientFailures, failingFor);
      failure = e;
    }
    if (now() - started > timing.timeoutMs) {
      throw fail.TIMEOUT(`gave up waiting to ${what} after ${Math.round(timing.timeoutMs / 60_000)} minutes`, {});
    }
    const delay = Math.min(delays.next().value * (transientFailures ? 2 ** transientFailures : 1), 30_000);
    if (failure !== undefined) {
      options.onRetry?.({
        what,
        reason: shortReason(failure),
        failures: transientFailures,
        delayMs: delay,
        giveUpInMs: Math.max(0, budget - (now() - failingSince)),
      });
    }
    await sleep(delay * scale, options.signal);
  }
}

/** The error for a call that kept failing (throttled, 5xx, timed out) until mfinfra stopped trying. */
function gaveUp(e: unknown, what: string, failures: number, failingForMs: number): MfinfraError {
  const base = toDeployError(e, what);
  return restate(base, `${base.message} (gave up after ${failures} failed attempts in a row, over ${Math.round(failingForMs / 1000)} s)`, {
    hint: base.hint ?? 'AWS (or the endpoint) kept failing; check the endpoint and AWS service health, wait a minute and run again',
    cause: e,
  });
}

/**
 * One AWS call, with throttling retried a few times on top of the SDK's retries. Reads
 * (`idempotent`, the default) also retry 5xx and network errors; writes only throttling, which
 * guarantees the request did nothing (a retried ExecuteChangeSet after a 500 could re-run work).
 */
export async function callAws<T>(
  what: string,
  call: (options: CallOptions) => Promise<T>,
  options: PollOptions & { idempotent?: boolean } = {},
): Promise<T> {
  const mutating = options.idempotent === false;
  const retryable = mutating ? isThrottling : isRetryable;
  const scale = options.delayScale ?? 1;
  const now = options.now ?? Date.now;
  const budget = options.retryBudgetMs ?? RETRY_BUDGET_MS;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    // Ctrl-C: no request goes out after it (cleanup calls run without the signal).
    throwIfAborted(options.signal);
    try {
      // A read is cut off by Ctrl-C; a write is let finish (bounded by the request timeout), so that
      // what it made is known and can be cleaned up.
      return await call(mutating ? {} : { abortSignal: options.signal });
    } catch (e) {
      if (isSdkAbort(e, options.signal)) throw abortedError('interrupted');
      if (MfinfraError.is(e)) throw e;
      if (!retryable(e)) throw toDeployError(e, what);
      const failingFor = now() - started;
      if (attempt >= 4 || failingFor >= budget) throw toDeployError(e, what);
      const delay = 1_000 * 2 ** (attempt - 1);
      options.onRetry?.({ what, reason: shortReason(e), failures: attempt, delayMs: delay, giveUpInMs: Math.max(0, budget - failingFor) });
      await sleep(delay * scale, options.signal);
    }
  }
}

/** The poll options every deploy step uses: the context's signal, delay scale, retry reports and budget. */
export function pollOptionsOf(ctx: DeployContext): PollOptions {
  return { signal: ctx.signal, delayScale: ctx.delayScale, onRetry: retryReporter(ctx), retryBudgetMs: ctx.retryBudgetMs };
}
