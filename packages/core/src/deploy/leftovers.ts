/**
 * What a failed or refused run leaves in AWS, said out loud. Cleanup after a refusal, Ctrl-C or an
 * error must never fail silently: a change set left AVAILABLE can still be executed by anyone (and
 * may remove a bucket), and a REVIEW_IN_PROGRESS placeholder blocks the next CREATE.
 */
import { fail, MfinfraError, restate } from '../errors.js';

/** One thing left behind, and the command that removes it. */
export interface Leftover {
  what: string;
  remove: string;
  /** Why the cleanup did not remove it. */
  because: string;
}

/** The same error, saying what was left behind and how to remove it. */
export function withLeftovers(e: unknown, left: Leftover[]): unknown {
  if (!left.length) return e;
  const text = left.map((l) => `${l.what} (not deleted: ${l.because})`).join('; ');
  const remove = left.map((l) => l.remove).join(' && ');
  if (!MfinfraError.is(e)) return leftoverError(left, e);
  return restate(e, `${e.message}; LEFT BEHIND: ${text}`, {
    hint: `remove it yourself: ${remove}${e.hint ? `; then: ${e.hint}` : ''}`,
    diagnostics: e.diagnostics,
    loc: e.loc,
    frame: e.frame,
  });
}

/** An error that only reports leftovers (cleanup after an otherwise finished step failed). */
export function leftoverError(left: Leftover[], cause?: unknown): MfinfraError {
  return fail.CLEANUP_FAILED(`could not clean up: ${left.map((l) => `${l.what} (not deleted: ${l.because})`).join('; ')}`, {
    hint: `remove it yourself: ${left.map((l) => l.remove).join(' && ')}`,
    cause,
  });
}
