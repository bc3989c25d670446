/**
 * Turn what the AWS SDK throws into one clear MfinfraError line: credentials, access, network,
 * throttling and CloudFormation's own messages. Never a stack trace (the cause is kept for --debug).
 */
import { fail, MfinfraError } from '../errors.js';

/** The shape of an SDK v3 service error (or a credentials provider error). */
interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
  /** The raw HTTP response (the SDK attaches it when it cannot parse the answer). */
  $response?: { statusCode?: number; body?: unknown };
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'TokenRefreshRequired',
  'InvalidToken',
  'AuthFailure',
]);

const THROTTLING_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH']);

function asSdkError(e: unknown): SdkErrorLike {
  return e && typeof e === 'object' ? (e as SdkErrorLike) : { message: String(e) };
}

/** The request was refused for rate (so it did nothing and may be sent again, even if it mutates). */
export function isThrottling(e: unknown): boolean {
  const name = asSdkError(e).name;
  return Boolean(name && THROTTLING_ERRORS.has(name));
}

/** CloudFormation's "Rate exceeded" and its friends, or a 5xx: worth waiting and trying again. */
export function isRetryable(e: unknown): boolean {
  const err = asSdkError(e);
  if (err.name && THROTTLING_ERRORS.has(err.name)) return true;
  if (err.$fault === 'server' || (err.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  // A refused connection or an unknown host will not fix itself in seconds (wrong endpoint / offline).
  return (
    Boolean(err.code && NETWORK_CODES.has(err.code) && err.code !== 'ECONNREFUSED' && err.code !== 'ENOTFOUND') ||
    err.name === 'TimeoutError'
  );
}

/** `ValidationError: Stack with id X does not exist` (DescribeStacks / GetTemplate on a missing stack). */
export function isStackMissing(e: unknown): boolean {
  const err = asSdkError(e);
  return err.name === 'ValidationError' && /does not exist/.test(err.message ?? '');
}

/** The name AWS gave the error (`ValidationError`, `Throttling`, ...). */
export function awsErrorName(e: unknown): string | undefined {
  return asSdkError(e).name;
}

/**
 * An MfinfraError for any SDK failure. `action` says what we were doing ("create the change set").
 * MfinfraErrors pass through unchanged.
 */
export function toDeployError(e: unknown, action: string): MfinfraError {
  if (MfinfraError.is(e)) return e;
  const err = asSdkError(e);
  const name = err.name ?? 'Error';
  const message = (err.message ?? '').trim();
  if (
    CREDENTIAL_ERRORS.has(name) ||
    /could not load credentials|credentials? (?:are|is) (?:missing|expired)|security token included in the request is (?:expired|invalid)/i.test(
      message,
    )
  ) {
    return fail.AWS_CREDENTIALS(`AWS credentials are missing, expired or invalid (${name}${message ? `: ${firstLine(message)}` : ''})`, {
      hint: 'sign in again (e.g. `aws sso login --profile NAME`), pass --profile, or export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
      cause: e,
    });
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || /not authorized to perform/i.test(message)) {
    return fail.AWS_ACCESS_DENIED(`AWS refused to ${action}: ${firstLine(message) || name}`, {
      hint: 'the credentials in use lack a permission; use a role that may manage this stack (or pass --profile)',
      cause: e,
    });
  }
  const code = (e as { code?: string } | undefined)?.code ?? (e as { cause?: { code?: string } } | undefined)?.cause?.code;
  if ((code && NETWORK_CODES.has(code)) || name === 'TimeoutError') {
    return fail.AWS_UNREACHABLE(`could not reach AWS to ${action} (${code ?? name}${message ? `: ${firstLine(message)}` : ''})`, {
      hint: 'check the network, --endpoint-url / AWS_ENDPOINT_URL, and --region',
      cause: e,
    });
  }
  if (THROTTLING_ERRORS.has(name)) {
    return fail.AWS_ERROR(`AWS kept throttling the requests to ${action} (${name}: ${firstLine(message)})`, {
      hint: 'other tools may be polling the same account; wait a minute and run again (AWS_MAX_ATTEMPTS raises the SDK retries)',
      cause: e,
    });
  }
  const foreign = notAnAwsAnswer(err);
  if (foreign) {
    return fail.AWS_ERROR(
      `failed to ${action}: the endpoint answered HTTP ${foreign.status}${foreign.gist ? ` (${foreign.gist})` : ''}, not an AWS API response`,
      {
        hint:
          'check --endpoint-url / AWS_ENDPOINT_URL and any proxy between here and AWS; ' +
          'an emulator (moto, LocalStack) answers like this when the operation failed inside it or is not implemented: see its log',
        cause: e,
      },
    );
  }
  return fail.AWS_ERROR(`failed to ${action}: ${name}${message ? `: ${firstLine(message)}` : ''}`, {
    cause: e,
  });
}

/**
 * An answer the SDK could not read as an AWS error or result (an HTML error page from an emulator or
 * a proxy): its HTTP status and the page's title or first line. Undefined for AWS's own errors, which
 * carry `$fault`.
 */
function notAnAwsAnswer(err: SdkErrorLike): { status: number; gist?: string } | undefined {
  const status = err.$response?.statusCode ?? err.$metadata?.httpStatusCode;
  if (err.$fault || !err.$response || typeof status !== 'number') return undefined;
  const body = typeof err.$response.body === 'string' ? err.$response.body : '';
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  const firstText = body
    .replace(/<[^>]*>/g, ' ')
    .trim()
    .split(/\s*\n\s*/)[0];
  const gist = (title || firstText || '').slice(0, 120);
  return { status, gist: gist || undefined };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
