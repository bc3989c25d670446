/**
 * Render a preview for people (terminal, Markdown for a PR comment) or machines (JSON). Pure: returns
 * text; the CLI prints it. Terminal colour only when `opts.color` (the CLI passes false for NO_COLOR
 * or no TTY).
 */
import { paint } from './style.js';
import { riskyStatefulChanges, type GateResult } from './gates.js';
import type { DeliberateException, PreviewModel, PropertyChange, ResourceChange, SecurityChange } from './model.js';

export type PreviewFormat = 'terminal' | 'markdown' | 'json';

export interface RenderOptions {
  color: boolean;
  /** What the safety gates decided; the Markdown preview then says whether approval is needed (or what refuses it). */
  gates?: GateResult;
}

const UNOWNED = '(not owned by a plugin)';
const MAX_VALUE = 80;
const MAX_MD_VALUE = 200;

export function renderPreview(model: PreviewModel, format: PreviewFormat, opts: RenderOptions): string {
  if (format === 'json') return JSON.stringify(model, null, 2) + '\n';
  if (format === 'markdown') return renderMarkdown(model, opts.gates);
  return renderTerminal(model, opts.color);
}

/** `3 to add, 1 to change, 1 to replace, 0 to remove` (+ imports when any). */
export function summaryLine(model: PreviewModel): string {
  const s = model.summary;
  const parts = [`${s.add} to add`, `${s.modify} to change`, `${s.replace} to replace`, `${s.remove} to remove`];
  if (s.import) parts.push(`${s.import} to import`);
  return parts.join(', ');
}

function sourceLine(model: PreviewModel): string {
  if (model.source === 'changeset') return "CloudFormation's change set";
  if (model.source === 'drift') return "CloudFormation's drift detection: what differs between the deployed template and AWS now";
  const against = model.firstRun
    ? 'nothing applied yet (first run: everything is an addition)'
    : (model.comparedWith ?? 'the last applied template');
  return `local prediction (offline), compared with ${against}; not CloudFormation's answer`;
}

function verb(c: ResourceChange): string {
  if (c.action === 'modify') return c.replacement === true ? 'replace' : c.replacement === 'conditional' ? 'may replace' : 'change';
  return c.action;
}

function riskVerb(c: ResourceChange): string {
  return c.action === 'remove' ? 'would be removed' : c.replacement === 'conditional' ? 'may be replaced' : 'would be replaced';
}

function symbol(c: ResourceChange): string {
  return { add: '+', modify: c.replacement === false ? '~' : '±', remove: '-', import: '←' }[c.action];
}

export function formatValue(v: unknown, max = MAX_VALUE): string {
  if (v === undefined) return '(none)';
  const text = JSON.stringify(v);
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** `: old → new`, `: new` (added), `: old → (removed)`, or nothing when CloudFormation gave no values. */
function valueChange(p: PropertyChange, show: (v: unknown) => string): string {
  if (p.before === undefined && p.after === undefined) return '';
  if (p.change === 'add') return `: ${show(p.after)}`;
  if (p.change === 'remove') return `: ${show(p.before)} → (removed)`;
  return `: ${show(p.before)} → ${show(p.after)}`;
}

function propertyNote(p: PropertyChange): string {
  const r = p.replacement === 'always' ? 'requires replacement' : p.replacement === 'conditional' ? 'may cause replacement' : '';
  return [r, p.cause ? `caused by ${p.cause}` : ''].filter(Boolean).join('; ');
}

function groups(model: PreviewModel): [string, ResourceChange[]][] {
  const out = new Map<string, ResourceChange[]>();
  for (const c of model.changes) {
    const key = c.owner ?? UNOWNED;
    out.set(key, [...(out.get(key) ?? []), c]);
  }
  return [...out.entries()];
}

function securityRow(s: SecurityChange): { what: string; detail: string } {
  switch (s.kind) {
    case 'iam-statement':
      return {
        what: `IAM ${s.effect}`,
        detail:
          `${s.actions.join(', ')} on ${s.resources.join(', ') || '(no resource)'}` +
          (s.principals.length ? ` for ${s.principals.join(', ')}` : '') +
          (s.condition !== undefined ? ` when ${JSON.stringify(s.condition)}` : ''),
      };
    case 'managed-policy':
      return { what: 'IAM managed policy', detail: `${s.policy} attached to ${s.identity}` };
    case 'security-group-rule':
      return {
        what: `SG ${s.direction}`,
        detail: `${s.group}: ${s.protocol} ${s.direction === 'ingress' ? 'from' : 'to'} ${s.peer}`,
      };
  }
}

// ─── resource rows: one layout for plan and destroy, terminal and Markdown ───

/** One resource line: `± replace  DatastoreBucket  AWS::S3::Bucket  physical-id  (note)`. */
export interface ResourceRow {
  mark: string;
  verb: string;
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  note?: string;
}

export interface RowWidths {
  verb: number;
  logicalId: number;
  resourceType: number;
}

/** The longest verb (`may replace`): rows line up the same whichever verbs a preview has. */
const VERB_WIDTH = 11;

/** Column widths that fit the longest verb, id and type of all the rows (of every group). */
export function rowWidths(rows: ResourceRow[]): RowWidths {
  return {
    verb: Math.max(0, ...rows.map((r) => r.verb.length)),
    logicalId: Math.max(0, ...rows.map((r) => r.logicalId.length)),
    resourceType: Math.max(0, ...rows.map((r) => r.resourceType.length)),
  };
}

/** The row as aligned terminal text, without the physical id and note (the caller dims those). */
export function rowHead(r: ResourceRow, w: RowWidths): string {
  return `  ${r.mark} ${pad(r.verb, Math.max(VERB_WIDTH, w.verb))} ${pad(r.logicalId, w.logicalId)}  ${pad(r.resourceType, w.resourceType)}`;
}

/** A Markdown table of rows; the Physical ID and Note columns only when some row has one. */
export function markdownRows(rows: ResourceRow[]): string[] {
  const physical = rows.some((r) => r.physicalId);
  const note = rows.some((r) => r.note);
  const head = ['Action', 'Logical ID', 'Type', ...(physical ? ['Physical ID'] : []), ...(note ? ['Note'] : [])];
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${r.mark} ${r.verb} | ${code(r.logicalId)} | ${code(r.resourceType)} |` +
        (physical ? ` ${code(r.physicalId ?? '')} |` : '') +
        (note ? ` ${cell(r.note ?? '')} |` : ''),
    ),
  ];
}

function changeRow(ch: ResourceChange): ResourceRow {
  return {
    mark: symbol(ch),
    verb: verb(ch),
    logicalId: ch.logicalId,
    resourceType: ch.resourceType,
    ...(ch.physicalId ? { physicalId: ch.physicalId } : {}),
  };
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - s.length));
}

// ─── terminal ────────────────────────────────────────────────────────────────

/** `+` new with this change, `=` kept, `-` no longer needed, `?` the deployed template is unknown. */
const EXCEPTION_MARK: Record<DeliberateException['change'], string> = { add: '+', keep: '=', remove: '-', unknown: '?' };

/** `AwsSolutions-IAM5 [Resource::*, +2 more]`: the rule and what it covers, short. */
function exceptionRule(e: DeliberateException): string {
  const a = e.appliesTo ?? [];
  return a.length ? `${e.rule} [${a[0]}${a.length > 1 ? `, +${a.length - 1} more` : ''}]` : e.rule;
}

function renderTerminal(model: PreviewModel, color: boolean): string {
  const c = paint(color);
  const tint = (ch: ResourceChange, s: string) =>
    ch.action === 'add'
      ? c.green(s)
      : ch.action === 'remove'
        ? c.red(s)
        : ch.action === 'import'
          ? c.cyan(s)
          : ch.replacement === false
            ? c.yellow(s)
            : c.red(s);
  const lines: string[] = [];
  lines.push(c.bold(`Stack ${model.stackName}`) + c.dim(` — ${sourceLine(model)}`));
  lines.push('');
  if (model.empty) {
    lines.push('No changes.');
  }
  const widths = rowWidths(model.changes.map(changeRow));
  for (const [owner, changes] of groups(model)) {
    lines.push(c.bold(owner));
    for (const ch of changes) {
      const head = rowHead(changeRow(ch), widths);
      const physical = ch.physicalId ? `  ${ch.physicalId}` : '';
      const fromTemplate = ch.properties.some((p) => p.source === 'template') ? '  (details from the template diff)' : '';
      // Padded to the type column only when something follows, so physical ids line up too.
      lines.push(tint(ch, physical || fromTemplate ? head : head.trimEnd()) + c.dim(physical + fromTemplate));
      for (const p of ch.properties) {
        const note = propertyNote(p);
        const arrow = valueChange(p, (v) => formatValue(v));
        const mark = p.change === 'add' ? '+' : p.change === 'remove' ? '-' : '~';
        lines.push(
          `      ${mark} ${p.path}${arrow}` + (note ? ' ' + (p.replacement === 'never' ? c.dim(`(${note})`) : c.red(`(${note})`)) : ''),
        );
      }
    }
    lines.push('');
  }
  const risky = riskyStatefulChanges(model);
  if (risky.length) {
    lines.push(c.bold(c.red('Data at risk')));
    for (const ch of risky)
      lines.push(c.red(`  ! ${ch.logicalId} (${ch.resourceType}) ${riskVerb(ch)}`) + (ch.retention ? `: ${ch.retention.effect}` : ''));
    lines.push('');
  }
  if (model.security.length) {
    lines.push(c.bold('Security changes') + (model.permissionsBroadened ? ' ' + c.red('(access broadens)') : ''));
    const rows = model.security.map((s) => ({ s, ...securityRow(s) }));
    const whatWidth = Math.max(...rows.map((r) => r.what.length));
    for (const r of rows) {
      const line = `  ${r.s.change === 'add' ? '+' : '-'} ${pad(r.what, whatWidth)}  ${r.detail}`;
      lines.push((r.s.change === 'add' ? c.green(line) : c.red(line)) + (r.s.broadens ? ' ' + c.red(c.bold('⚠ broadens')) : ''));
    }
    lines.push(c.dim('  (there may be security-relevant changes not in this table, e.g. inside resource policies of unknown types)'));
    lines.push('');
  }
  const exceptions = model.exceptions ?? [];
  if (exceptions.length) {
    const shown = exceptions.filter((e) => e.change !== 'keep');
    const kept = exceptions.length - shown.length;
    lines.push(c.bold('Deliberate exceptions') + c.dim(" (scanners' rules these resources do not meet, and why)"));
    const idWidth = Math.max(...shown.map((e) => e.logicalId.length));
    for (const e of shown) {
      const mark = EXCEPTION_MARK[e.change];
      const head = `  ${mark} ${pad(e.logicalId, idWidth)}  ${exceptionRule(e)}`;
      lines.push((e.change === 'add' ? c.yellow(head) : e.change === 'remove' ? c.green(head) : head) + `: ${e.reason}`);
    }
    if (kept)
      lines.push(
        c.dim(`  ${kept} unchanged exception${kept === 1 ? '' : 's'} on these resources (listed by --format markdown and --json)`),
      );
    lines.push('');
  }
  if (model.other.length) {
    lines.push(c.bold('Other changes'));
    for (const o of model.other) lines.push(`  ${o.change === 'add' ? '+' : o.change === 'remove' ? '-' : '~'} ${o.section} ${o.name}`);
    lines.push('');
  }
  for (const n of model.notes) lines.push(c.dim(`note: ${n}`));
  lines.push(c.bold(`Plan: ${summaryLine(model)}.`));
  return lines.join('\n') + '\n';
}

// ─── markdown ────────────────────────────────────────────────────────────────

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

function code(s: string): string {
  const t = s.replace(/`/g, 'ˋ');
  return t ? '`' + cell(t) + '`' : '';
}

function groupSummary(changes: ResourceChange[]): string {
  const n = { add: 0, change: 0, replace: 0, remove: 0, import: 0 };
  for (const c of changes) {
    if (c.action === 'modify') n[c.replacement === false ? 'change' : 'replace']++;
    else n[c.action]++;
  }
  return Object.entries(n)
    .filter(([, k]) => k > 0)
    .map(([what, k]) => `${k} to ${what}`)
    .join(', ');
}

/** Whether the change needs approval, or what refuses it, for the top of a Markdown preview. */
function markdownGateStatus(gates: GateResult, permissionsBroadened: boolean): string[] {
  const out: string[] = [];
  const refusals = gates.blocked.filter((b) => b.gate !== 'approval');
  if (refusals.length) {
    out.push(
      `**⛔ Refused by ${refusals.length === 1 ? 'a safety gate' : `${refusals.length} safety gates`}** (apply changes nothing):`,
      '',
    );
    for (const b of refusals) out.push(`- ${cell(b.reason)}  \n  _${cell(b.hint)}_`);
    out.push('');
  }
  if (gates.approvalRequired) {
    const approval = gates.blocked.find((b) => b.gate === 'approval');
    out.push(
      `**🟡 Needs approval:** ${cell(approval?.reason ?? (permissionsBroadened ? 'this change broadens access (see Security changes)' : 'approval is required for any change (--require-approval any-change)'))}. ` +
        '`mfinfra apply` asks for it on a terminal; a pipeline passes `--yes` once a person has approved this preview.',
      '',
    );
  } else if (!refusals.length) {
    out.push('**Approval:** not needed (no access is broadened).', '');
  }
  if (gates.allowed.length) {
    out.push('**Allowed with `--allow-replace`:**', '');
    for (const a of gates.allowed) out.push(`- ${cell(a.reason)}`);
    out.push('');
  }
  return out;
}

function renderMarkdown(model: PreviewModel, gates?: GateResult): string {
  const out: string[] = [];
  out.push(`### mfinfra ${model.source === 'drift' ? 'drift' : 'plan'}: \`${model.stackName}\``);
  out.push('');
  out.push(`**Plan: ${summaryLine(model)}.**`);
  out.push('');
  out.push(
    model.source === 'offline'
      ? `> **Local prediction** (offline), compared with ${model.firstRun ? 'nothing applied yet (first run: everything is an addition)' : cell(model.comparedWith ?? 'the last applied template')}. This is not CloudFormation's answer; the change set at apply time is the authority.`
      : model.source === 'drift'
        ? "> From CloudFormation's drift detection: each change is from the deployed template's value to the actual one."
        : "> From CloudFormation's change set.",
  );
  out.push('');
  if (gates) out.push(...markdownGateStatus(gates, model.permissionsBroadened));
  if (model.empty) {
    out.push('No changes.');
    out.push('');
  }
  const risky = riskyStatefulChanges(model);
  if (risky.length) {
    out.push('#### ⚠️ Data at risk');
    out.push('');
    for (const ch of risky)
      out.push(`- ${code(ch.logicalId)} (${code(ch.resourceType)}) ${riskVerb(ch)}${ch.retention ? `: ${ch.retention.effect}` : ''}`);
    out.push('');
  }
  if (model.security.length) {
    out.push(`#### Security changes${model.permissionsBroadened ? ' (⚠️ access broadens)' : ''}`);
    out.push('');
    const iam = model.security.filter((s) => s.kind === 'iam-statement');
    if (iam.length) {
      const withPrincipals = iam.some((s) => s.principals.length);
      const withCondition = iam.some((s) => s.condition !== undefined);
      out.push(
        `| | Effect | Actions | Resources |${withPrincipals ? ' Principals |' : ''}${withCondition ? ' Condition |' : ''} Broadens |`,
      );
      out.push(`|---|---|---|---|${withPrincipals ? '---|' : ''}${withCondition ? '---|' : ''}---|`);
      for (const s of iam) {
        out.push(
          `| ${s.change === 'add' ? '+' : '-'} | ${s.effect} | ${s.actions.map(code).join('<br>')} | ${s.resources.map(code).join('<br>')} |` +
            (withPrincipals ? ` ${s.principals.map(code).join('<br>')} |` : '') +
            (withCondition ? ` ${s.condition !== undefined ? code(JSON.stringify(s.condition)) : ''} |` : '') +
            ` ${s.broadens ? '⚠️ yes' : 'no'} |`,
        );
      }
      out.push('');
    }
    const policies = model.security.filter((s) => s.kind === 'managed-policy');
    if (policies.length) {
      out.push('| | Identity | Managed policy | Broadens |');
      out.push('|---|---|---|---|');
      for (const s of policies)
        out.push(`| ${s.change === 'add' ? '+' : '-'} | ${code(s.identity)} | ${code(s.policy)} | ${s.broadens ? '⚠️ yes' : 'no'} |`);
      out.push('');
    }
    const rules = model.security.filter((s) => s.kind === 'security-group-rule');
    if (rules.length) {
      out.push('| | Group | Direction | Protocol | Peer | Broadens |');
      out.push('|---|---|---|---|---|---|');
      for (const s of rules) {
        out.push(
          `| ${s.change === 'add' ? '+' : '-'} | ${code(s.group)} | ${s.direction} | ${cell(s.protocol)} | ${code(s.peer)} | ${s.broadens ? '⚠️ yes' : 'no'} |`,
        );
      }
      out.push('');
    }
    out.push('_There may be security-relevant changes not in these tables._');
    out.push('');
  }
  const exceptions = model.exceptions ?? [];
  if (exceptions.length) {
    out.push('#### Deliberate exceptions');
    out.push('');
    out.push("Scanners' rules the resources of this change do not meet, each with the reason written on the resource.");
    out.push('');
    out.push('| | Resource | Scanner | Rule | Applies to | Reason |');
    out.push('|---|---|---|---|---|---|');
    for (const e of exceptions) {
      const mark = { add: '+ new', keep: '= kept', remove: '- removed', unknown: '?' }[e.change];
      out.push(
        `| ${mark} | ${code(e.logicalId)} | ${e.scanner} | ${code(e.rule)} | ${(e.appliesTo ?? []).map(code).join('<br>')} | ${cell(e.reason)} |`,
      );
    }
    out.push('');
  }
  const grouped = groups(model);
  if (grouped.length) {
    out.push('#### Changes by plugin');
    out.push('');
  }
  for (const [owner, changes] of grouped) {
    out.push(`<details><summary>${owner === UNOWNED ? owner : `<code>${owner}</code>`}: ${groupSummary(changes)}</summary>`);
    out.push('');
    out.push(...markdownRows(changes.map(changeRow)));
    out.push('');
    for (const ch of changes.filter((c) => c.properties.length)) {
      const n = ch.properties.length;
      const fromTemplate = ch.properties.some((p) => p.source === 'template') ? ' (from the template diff)' : '';
      out.push(`${code(ch.logicalId)}: ${n} propert${n === 1 ? 'y' : 'ies'}${fromTemplate}`);
      out.push('');
      out.push('| Property | Before | After | Replacement |');
      out.push('|---|---|---|---|');
      for (const p of ch.properties) {
        const note = propertyNote(p) || 'no';
        const known = p.before !== undefined || p.after !== undefined;
        const before = p.change === 'add' || !known ? '' : code(formatValue(p.before, MAX_MD_VALUE));
        const after = p.change === 'remove' ? '(removed)' : known ? code(formatValue(p.after, MAX_MD_VALUE)) : '(not shown)';
        out.push(`| ${code(p.path)} | ${before} | ${after} | ${cell(note)} |`);
      }
      out.push('');
    }
    out.push('</details>');
    out.push('');
  }
  if (model.other.length) {
    out.push('#### Other changes');
    out.push('');
    for (const o of model.other) out.push(`- ${o.change} ${o.section} ${code(o.name)}`);
    out.push('');
  }
  for (const n of model.notes) out.push(`_Note: ${cell(n)}_`);
  if (model.notes.length) out.push('');
  return out.join('\n');
}

// ─── gates ───────────────────────────────────────────────────────────────────

/** What the gates decided, for people: blocks with reasons and what to do; allowed stateful changes. */
export function renderGateResult(result: GateResult, format: 'terminal' | 'markdown', opts: RenderOptions): string {
  if (!result.blocked.length && !result.allowed.length) return '';
  const lines: string[] = [];
  if (format === 'markdown') {
    if (result.blocked.length) {
      const refusals = result.blocked.filter((b) => b.gate !== 'approval');
      const approval = result.blocked.filter((b) => b.gate === 'approval');
      if (refusals.length) lines.push('#### ⛔ Refused by safety gates', '');
      for (const b of refusals) lines.push(`- ${cell(b.reason)}  \n  _${cell(b.hint)}_`);
      if (refusals.length && approval.length) lines.push('');
      if (approval.length) lines.push('#### 🟡 Needs approval', '');
      for (const b of approval) lines.push(`- ${cell(b.reason)}  \n  _${cell(b.hint)}_`);
      lines.push('');
    }
    if (result.allowed.length) {
      lines.push('#### Allowed with `--allow-replace`', '');
      for (const a of result.allowed) lines.push(`- ${cell(a.reason)}`);
      lines.push('');
    }
    return lines.join('\n');
  }
  const c = paint(opts.color);
  // Approval is a question (answered at the prompt or with --yes), not a failure: yellow, once.
  for (const b of result.blocked) {
    if (b.gate === 'approval') {
      lines.push(c.yellow(`! needs approval: ${b.reason}`));
    } else {
      lines.push(c.red(`✗ refused: ${b.reason}`));
    }
    lines.push(c.dim(`  → ${b.hint}`));
  }
  for (const a of result.allowed) lines.push(c.yellow(`! allowed by --allow-replace: ${a.reason}`));
  return lines.join('\n') + '\n';
}
