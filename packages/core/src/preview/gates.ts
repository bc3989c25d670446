/**
 * Safety gates over a preview. Pure: the caller decides how approval is obtained (a prompt on a TTY,
 * `--yes`), passes it as `approved`, and stops with ExitCode.BLOCKED when `ok` is false.
 *
 * - `stateful`: replacing (or possibly replacing) or removing a resource that holds data is refused
 *   unless its logical id is named in `allowReplace` (`--allow-replace <LogicalId>`).
 * - `approval`: with `requireApproval: 'broadening'` (default) a change that broadens IAM permissions
 *   or security-group rules needs approval; with `'any-change'` every non-empty change does.
 */
import type { PreviewModel, ResourceChange } from './model.js';
import { whatIsLost } from './stateful.js';

export type RequireApproval = 'never' | 'any-change' | 'broadening';

export interface GateOptions {
  /** Logical ids the user allowed to be replaced or removed (`--allow-replace`, repeatable). */
  allowReplace: string[];
  requireApproval: RequireApproval;
  /** The user approved (`--yes`, or answered yes at a prompt). */
  approved: boolean;
}

export interface GateBlock {
  gate: 'stateful' | 'approval';
  /** The resource concerned (stateful gate). */
  logicalId?: string;
  /** Why: one or two sentences, what would be lost and what the policies keep. */
  reason: string;
  /** What to do to go ahead. */
  hint: string;
}

export interface GateNote {
  logicalId: string;
  /** A stateful replacement/removal that `--allow-replace` allowed; still shown so nobody is surprised. */
  reason: string;
}

export interface GateResult {
  /** Nothing blocks: go ahead. */
  ok: boolean;
  blocked: GateBlock[];
  /** Approval is required by `requireApproval` (whether or not it was given). */
  approvalRequired: boolean;
  /** The only blocks are approval blocks: asking the user (TTY) and re-evaluating with `approved: true` can clear them. */
  approvable: boolean;
  /** Stateful changes that were allowed by `allowReplace`. */
  allowed: GateNote[];
}

export const DEFAULT_GATE_OPTIONS: GateOptions = { allowReplace: [], requireApproval: 'broadening', approved: false };

function statefulReason(c: ResourceChange): string {
  const what =
    c.action === 'remove'
      ? 'would be removed'
      : c.replacementSource === 'unknown'
        ? "may be replaced (CloudFormation's change set does not say, and the template diff cannot tell)"
        : c.replacement === 'conditional'
          ? 'may be replaced (CloudFormation decides at deploy time)'
          : c.replacementSource === 'predicted'
            ? "would be replaced (predicted from the template diff; CloudFormation's change set does not say)"
            : 'would be replaced';
  const causes = c.properties.filter((p) => p.replacement !== 'never').map((p) => p.path);
  const because = c.action === 'modify' && causes.length ? ` because ${causes.join(', ')} changes` : '';
  const outcome = c.retention ? c.retention.effect : `${whatIsLost(c.resourceType)} would be lost`;
  return `${c.logicalId} (${c.resourceType}) ${what}${because}. ${outcome}`;
}

/** The changes the stateful gate looks at: stateful resources replaced, possibly replaced, or removed. */
export function riskyStatefulChanges(model: PreviewModel): ResourceChange[] {
  return model.changes.filter((c) => c.stateful && (c.action === 'remove' || (c.action === 'modify' && c.replacement !== false)));
}

/** `2 IAM statements allowed, 1 Deny removed, 1 security-group rule added`: what broadens, by kind. */
function broadeningCounts(model: PreviewModel): string {
  const n = (k: number, one: string, many: string, what: string) => (k ? [`${k} ${k === 1 ? one : many} ${what}`] : []);
  const b = model.security.filter((s) => s.broadens);
  const allowed = b.filter((s) => s.kind === 'iam-statement' && s.change === 'add').length;
  const denyRemoved = b.filter((s) => s.kind === 'iam-statement' && s.change === 'remove').length;
  const policies = b.filter((s) => s.kind === 'managed-policy').length;
  const rules = b.filter((s) => s.kind === 'security-group-rule').length;
  return [
    ...n(allowed, 'IAM statement', 'IAM statements', 'allowed'),
    ...n(denyRemoved, 'Deny statement', 'Deny statements', 'removed'),
    ...n(policies, 'managed policy', 'managed policies', 'attached'),
    ...n(rules, 'security-group rule', 'security-group rules', 'added'),
  ].join(', ');
}

export function evaluateGates(model: PreviewModel, opts: GateOptions): GateResult {
  const blocked: GateBlock[] = [];
  const allowed: GateNote[] = [];
  const allow = new Set(opts.allowReplace);
  for (const c of riskyStatefulChanges(model)) {
    if (allow.has(c.logicalId)) {
      allowed.push({ logicalId: c.logicalId, reason: statefulReason(c) });
      continue;
    }
    blocked.push({
      gate: 'stateful',
      logicalId: c.logicalId,
      reason: statefulReason(c),
      hint: `if this is intended, pass --allow-replace ${c.logicalId}; otherwise undo the change that causes it`,
    });
  }
  const approvalRequired =
    opts.requireApproval === 'any-change' ? !model.empty : opts.requireApproval === 'broadening' ? model.permissionsBroadened : false;
  if (approvalRequired && !opts.approved) {
    blocked.push({
      gate: 'approval',
      reason:
        opts.requireApproval === 'any-change'
          ? 'approval is required for any change (--require-approval any-change)'
          : `this change broadens access: ${broadeningCounts(model)} (see the security table)`,
      hint: 'review the changes, then answer y at the prompt, or pass --yes where nobody can be asked (CI); --require-approval says when to ask (broadening, any-change or never)',
    });
  }
  return {
    ok: blocked.length === 0,
    blocked,
    approvalRequired,
    approvable: blocked.length > 0 && blocked.every((b) => b.gate === 'approval'),
    allowed,
  };
}
