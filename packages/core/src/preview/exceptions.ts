/**
 * The deliberate exceptions to scanners' rules on the resources a change adds or modifies, with
 * their reasons, read from each resource's Metadata in the conventions the scanners use (cdk-nag's
 * `cdk_nag.rules_to_suppress`, checkov's `checkov.skip`; written by `scannerExceptions()` in
 * `@mfinfra/core/plugin`). The preview shows them beside the security changes, so a reviewer sees
 * what the change does not meet and why, and which exceptions are new.
 */
import type { DeliberateException, ResourceChange } from './model.js';
import type { Template } from './templateDiff.js';

type Entry = Omit<DeliberateException, 'logicalId' | 'change'>;

/** The exceptions written on one resource definition, in the order written. */
export function exceptionsOn(resource: unknown): Entry[] {
  const metadata = (resource as { Metadata?: Record<string, unknown> } | undefined)?.Metadata;
  if (!metadata || typeof metadata !== 'object') return [];
  const out: Entry[] = [];
  const nag = (metadata.cdk_nag as { rules_to_suppress?: unknown } | undefined)?.rules_to_suppress;
  for (const s of Array.isArray(nag) ? nag : []) {
    const e = s as { id?: unknown; reason?: unknown; applies_to?: unknown };
    if (typeof e.id !== 'string') continue;
    const appliesTo = Array.isArray(e.applies_to) ? e.applies_to.filter((a): a is string => typeof a === 'string') : [];
    out.push({
      scanner: 'cdk-nag',
      rule: e.id,
      reason: typeof e.reason === 'string' ? e.reason : '',
      ...(appliesTo.length ? { appliesTo } : {}),
    });
  }
  const checkov = (metadata.checkov as { skip?: unknown } | undefined)?.skip;
  for (const s of Array.isArray(checkov) ? checkov : []) {
    const e = s as { id?: unknown; comment?: unknown };
    if (typeof e.id !== 'string') continue;
    out.push({ scanner: 'checkov', rule: e.id, reason: typeof e.comment === 'string' ? e.comment : '' });
  }
  return out;
}

const key = (e: Entry) => `${e.scanner}\0${e.rule}\0${(e.appliesTo ?? []).join('\0')}`;

/**
 * The exceptions on the resources the change adds, imports or modifies (from the new template),
 * sorted like the changes. `change`: `add` when the deployed resource did not have it (every
 * exception of an added resource), `keep` when it did, `unknown` when the deployed template is not
 * known; plus `remove` for exceptions a modified resource no longer needs.
 */
export function deliberateExceptions(
  changes: ResourceChange[],
  oldTemplate: Template | undefined,
  newTemplate: Template,
): DeliberateException[] {
  const out: DeliberateException[] = [];
  for (const ch of changes) {
    if (ch.action === 'remove') continue;
    const now = exceptionsOn(newTemplate.Resources?.[ch.logicalId]);
    const before = ch.action === 'modify' && oldTemplate ? exceptionsOn(oldTemplate.Resources?.[ch.logicalId]) : undefined;
    const had = new Set((before ?? []).map(key));
    for (const e of now) {
      const change = ch.action !== 'modify' ? 'add' : before === undefined ? 'unknown' : had.has(key(e)) ? 'keep' : 'add';
      out.push({ logicalId: ch.logicalId, change, ...e });
    }
    const has = new Set(now.map(key));
    for (const e of before ?? []) if (!has.has(key(e))) out.push({ logicalId: ch.logicalId, change: 'remove', ...e });
  }
  return out;
}
