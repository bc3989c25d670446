/**
 * Render a preview for people (terminal, Markdown for a PR comment) or machines (JSON). Pure: returns
 * text; the CLI prints it. Terminal colour only when `opts.color` (the CLI passes false for NO_COLOR
 * or no TTY).
 */
import { paint } from '../cli/io.js';
import { riskyStatefulChanges, type GateResult } from './gates.js';
import type { PreviewModel, PropertyChange, ResourceChange, SecurityChange } from './model.js';

export type PreviewFormat = 'terminal' | 'markdown' | 'json';

export interface RenderOptions {
  color: boolean;
}

const UNOWNED = '(not owned by a plugin)';
const MAX_VALUE = 80;
const MAX_MD_VALUE = 200;

export function renderPreview(model: PreviewModel, format: PreviewFormat, opts: RenderOptions): string {
  if (format === 'json') return JSON.stringify(model, null, 2) + '\n';
  if (format === 'markdown') return renderMarkdown(model);
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

function replacementCell(c: ResourceChange): string {
  if (c.action !== 'modify') return 'n/a';
  return c.replacement === 'conditional' ? 'conditional' : String(c.replacement);
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

// ─── terminal ────────────────────────────────────────────────────────────────

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - s.length));
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
  const idWidth = Math.max(0, ...model.changes.map((ch) => ch.logicalId.length));
  const typeWidth = Math.max(0, ...model.changes.map((ch) => ch.resourceType.length));
  for (const [owner, changes] of groups(model)) {
    lines.push(c.bold(owner));
    for (const ch of changes) {
      const head = `  ${symbol(ch)} ${pad(verb(ch), 11)} ${pad(ch.logicalId, idWidth)}  ${pad(ch.resourceType, typeWidth)}`;
      const physical = ch.physicalId ? `  ${ch.physicalId}` : '';
      lines.push(tint(ch, head.trimEnd()) + c.dim(physical));
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

function renderMarkdown(model: PreviewModel): string {
  const out: string[] = [];
  out.push(`### mfinfra plan: \`${model.stackName}\``);
  out.push('');
  out.push(
    model.source === 'offline'
      ? `> **Local prediction** (offline), compared with ${model.firstRun ? 'nothing applied yet (first run: everything is an addition)' : cell(model.comparedWith ?? 'the last applied template')}. This is not CloudFormation's answer; the change set at apply time is the authority.`
      : "> From CloudFormation's change set.",
  );
  out.push('');
  out.push(`**Plan: ${summaryLine(model)}.**`);
  out.push('');
  if (model.empty) {
    out.push('No changes.');
    out.push('');
  }
  for (const [owner, changes] of groups(model)) {
    out.push(`#### ${owner === UNOWNED ? owner : '`' + owner + '`'}`);
    out.push('');
    out.push('| Action | Logical ID | Type | Physical ID | Replacement |');
    out.push('|---|---|---|---|---|');
    for (const ch of changes) {
      out.push(
        `| ${symbol(ch)} ${verb(ch)} | ${code(ch.logicalId)} | ${code(ch.resourceType)} | ${code(ch.physicalId ?? '')} | ${replacementCell(ch)} |`,
      );
    }
    out.push('');
    const detailed = changes.filter((ch) => ch.properties.length);
    for (const ch of detailed) {
      out.push(
        `<details><summary><code>${ch.logicalId}</code>: ${ch.properties.length} propert${ch.properties.length === 1 ? 'y' : 'ies'}</summary>`,
      );
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
      out.push('</details>');
      out.push('');
    }
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
      out.push('| | Effect | Actions | Resources | Principals | Condition | Broadens |');
      out.push('|---|---|---|---|---|---|---|');
      for (const s of iam) {
        out.push(
          `| ${s.change === 'add' ? '+' : '-'} | ${s.effect} | ${s.actions.map(code).join('<br>')} | ${s.resources.map(code).join('<br>')} | ${s.principals.map(code).join('<br>')} | ${s.condition !== undefined ? code(JSON.stringify(s.condition)) : ''} | ${s.broadens ? '⚠️ yes' : 'no'} |`,
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
      lines.push('#### ⛔ Blocked by safety gates', '');
      for (const b of result.blocked) lines.push(`- ${cell(b.reason)}  \n  _${cell(b.hint)}_`);
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
  for (const b of result.blocked) {
    lines.push(c.red(`✗ blocked: ${b.reason}`));
    lines.push(c.dim(`  → ${b.hint}`));
  }
  for (const a of result.allowed) lines.push(c.yellow(`! allowed by --allow-replace: ${a.reason}`));
  return lines.join('\n') + '\n';
}
