/**
 * Error codes raised while talking to CloudFormation (kept here, next to the deploy code, so the
 * shared `ErrorCode` table stays the compiler's). Each is a stable UPPER_SNAKE string.
 */
export const DeployErrorCode = {
  /** No credentials, or they expired / were rejected. */
  AWS_CREDENTIALS: 'AWS_CREDENTIALS',
  /** The credentials are valid but not allowed to do this. */
  AWS_ACCESS_DENIED: 'AWS_ACCESS_DENIED',
  /** The endpoint could not be reached (network, wrong --endpoint-url). */
  AWS_UNREACHABLE: 'AWS_UNREACHABLE',
  /** Any other error AWS answered with. */
  AWS_ERROR: 'AWS_ERROR',
  /** CloudFormation could not create the change set (its StatusReason says why). */
  CHANGE_SET_FAILED: 'CHANGE_SET_FAILED',
  /** `--change-set NAME` is missing, not executable, or no longer matches the manifest. */
  CHANGE_SET_STALE: 'CHANGE_SET_STALE',
  /** The stack operation ended in a failure or rollback state. */
  DEPLOY_FAILED: 'DEPLOY_FAILED',
  /** The stack is busy with another operation. */
  STACK_BUSY: 'STACK_BUSY',
  /** The stack is in a state that needs the user to act (ROLLBACK_COMPLETE, UPDATE_ROLLBACK_FAILED). */
  STACK_STATE: 'STACK_STATE',
  /** Termination protection is on. */
  TERMINATION_PROTECTION: 'TERMINATION_PROTECTION',
  /** Confirmation needed but there is no terminal to ask on. */
  CONFIRMATION_REQUIRED: 'CONFIRMATION_REQUIRED',
  /** A safety gate refused the change (stateful replacement / removal not allowed). */
  GATE_BLOCKED: 'GATE_BLOCKED',
  /** The user declined, or pressed Ctrl-C. */
  ABORTED: 'ABORTED',
  /** The template is too large, or needs S3 staging that is not configured. */
  TEMPLATE_TOO_LARGE: 'TEMPLATE_TOO_LARGE',
  /** A change set or placeholder stack this run made could not be deleted (the message says what is left). */
  CLEANUP_FAILED: 'CLEANUP_FAILED',
  /** The stack's last operation is not this run's (another deploy ran meanwhile): nothing was recorded. */
  STACK_MOVED: 'STACK_MOVED',
  /** `mfinfra adopt` / `migrate` will not import a resource (missing, would be replaced, differs from the template). */
  IMPORT_REFUSED: 'IMPORT_REFUSED',
  /** `mfinfra init --from-stack` / `migrate`: the stack is not a deployment of the official Metaflow template. */
  NOT_OFFICIAL_STACK: 'NOT_OFFICIAL_STACK',
  /** A migration step cannot run yet, or would lose data. */
  MIGRATION_STEP: 'MIGRATION_STEP',
  /** Waiting took longer than allowed. */
  TIMEOUT: 'TIMEOUT',
} as const;
