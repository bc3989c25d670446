/**
 * What the `existing:` sections of plugins share beyond ARNs (exported from `@mfinfra/core/plugin`):
 * the schema rule that refuses the keys that would create something beside `existing`, the check
 * that everything reused is in one account, and reading a live lookup's "not found" as `undefined`.
 */
import type { JsonSchema } from '../load/jsonSchema.js';

/**
 * The schema `dependencies` entry that refuses each of `keys` when the section has `existing`, at the
 * key's position, explained by `description(key)` (say what to remove), e.g.
 * `dependencies: keysRefusedWithExisting(['bucket'], (k) => 'remove ' + k + ', or remove existing')`.
 */
export function keysRefusedWithExisting(keys: readonly string[], description: (key: string) => string): JsonSchema {
  return { existing: { properties: Object.fromEntries(keys.map((k) => [k, { not: {}, description: description(k) }])) } };
}

/** What the account check reports with. */
export interface MixedAccountsReport {
  /** The plugin's manifest key (`batch`): messages name `batch.existing.<key>`. */
  section: string;
  code: string;
  hint: string;
}

/**
 * Report every entry of `accounts` (`[key under existing, account id]`, in manifest order) whose account
 * is not the first one's, at `['existing', key]`: "batch.existing.jobRole is in account 2…, but
 * jobQueue is in account 1…".
 */
export function reportMixedAccounts(
  ctx: { report(message: string, options: { path: string[]; code: string; hint: string }): void },
  accounts: ReadonlyArray<readonly [string, string]>,
  report: MixedAccountsReport,
): void {
  const [firstKey, firstAccount] = accounts[0] ?? [];
  for (const [key, account] of accounts) {
    if (account === firstAccount) continue;
    ctx.report(`${report.section}.existing.${key} is in account ${account}, but ${firstKey} is in account ${firstAccount}`, {
      path: ['existing', key],
      code: report.code,
      hint: report.hint,
    });
  }
}

/**
 * The answer of a live lookup, or `undefined` when it fails with the error named `notFound` (the
 * SDK's exception name: `ResourceNotFoundException`, `NotFoundException`, `NoSuchEntityException`);
 * any other failure is thrown.
 */
export async function undefinedIfNotFound<T>(notFound: string, lookup: () => Promise<T>): Promise<T | undefined> {
  try {
    return await lookup();
  } catch (e) {
    if ((e as { name?: string }).name !== notFound) throw e;
    return undefined;
  }
}
