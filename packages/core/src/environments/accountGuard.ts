/**
 * The right account every time: a stack pinned to an account (`stack.account`, usually in an
 * environment's overlay) is only planned, applied or destroyed with credentials of that account.
 * STS GetCallerIdentity is asked first, before any other AWS call, and a mismatch is refused as a
 * usage error naming both accounts and the profile in use. Nothing else is sent to AWS.
 */
import { fail } from '../errors.js';

export interface AccountPin {
  /** The pinned account id (stack.account); no pin, no STS call. */
  account?: string;
  /** The AWS profile the clients use (--profile, else stack.profile), if any. */
  profile?: string;
  stackName: string;
  environment?: string;
}

/** Where the credentials came from, as a person would say it. */
export function credentialSource(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (profile) return `profile ${profile}`;
  if (env.AWS_PROFILE) return `profile ${env.AWS_PROFILE} (AWS_PROFILE)`;
  if (env.AWS_ACCESS_KEY_ID) return 'the AWS_ACCESS_KEY_ID credentials in the environment';
  return 'the default credential chain';
}

/**
 * Refuse when the credentials belong to another account than `pin.account`. Call before any other
 * AWS call of a command; `accountId` is the clients' (memoised) STS GetCallerIdentity.
 */
export async function assertAccount(
  accountId: () => Promise<string>,
  pin: AccountPin,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (!pin.account) return undefined;
  const where = `stack ${pin.stackName}${pin.environment ? ` (environment ${pin.environment})` : ''}`;
  const source = credentialSource(pin.profile, env);
  let actual: string;
  try {
    actual = await accountId();
  } catch (e) {
    throw fail.ACCOUNT_MISMATCH(
      `cannot check which account ${source} belongs to (${where} is pinned to account ${pin.account}): ${(e as Error).message}`,
      {
        hint: `nothing was sent to CloudFormation; check the credentials (aws sts get-caller-identity${pin.profile ? ` --profile ${pin.profile}` : ''})`,
        kind: 'runtime',
        cause: e,
      },
    );
  }
  if (actual === pin.account) return actual;
  throw fail.ACCOUNT_MISMATCH(`${source} belongs to account ${actual}, but ${where} is pinned to account ${pin.account}`, {
    hint: `nothing was sent to CloudFormation; use credentials of account ${pin.account} (--profile NAME, or stack.profile in the manifest), or correct stack.account`,
  });
}
