/**
 * Text for people about deploys: event lines, the destroy preview, final summaries. Pure (returns
 * strings; the CLI prints them). Colour only when asked.
 */
import { paint } from '../preview/style.js';
import { rowHead, rowWidths, type ResourceRow } from '../preview/render.js';
import type { DestroyPlan, ImportPlan } from './types.js';
import type { EventProgress, StackEventLine } from './progress.js';

/** `  3/7  12:01:02  CREATE_COMPLETE      AWS::S3::Bucket            DatastoreBucket  reason` */
export function formatEvent(event: StackEventLine, progress: EventProgress, color: boolean): string {
  const c = paint(color);
  const count = progress.total !== undefined ? `${progress.done}/${progress.total}` : `${progress.done}`;
  const time = event.timestamp.slice(11, 19);
  const statusText = event.status.padEnd(28);
  const status = event.failed
    ? c.red(statusText)
    : /_COMPLETE$/.test(event.status) && !/ROLLBACK/.test(event.status)
      ? c.green(statusText)
      : /ROLLBACK/.test(event.status)
        ? c.yellow(statusText)
        : statusText;
  const reason = event.reason ? (event.failed ? c.red(`  ${event.reason}`) : c.dim(`  ${event.reason}`)) : '';
  return `  ${count.padStart(7)}  ${c.dim(time)}  ${status} ${event.resourceType.padEnd(34)} ${event.isStack ? c.bold(event.logicalId) : event.logicalId}${reason}`;
}

/** What `destroy` removes and what it keeps. */
export function renderDestroyPlan(plan: DestroyPlan, color: boolean): string {
  const c = paint(color);
  const lines = [
    `${c.bold(`Stack ${plan.stackName}`)} (${plan.status}): ${plan.resources.length} resource${plan.resources.length === 1 ? '' : 's'}`,
  ];
  // The same columns as a plan's preview: action, logical id, type (as wide as the longest), physical id.
  const rows: (ResourceRow & { outcome: string })[] = plan.resources.map((r) => ({
    outcome: r.outcome,
    mark: r.outcome === 'delete' ? '-' : '~',
    verb: r.outcome,
    logicalId: r.logicalId,
    resourceType: r.resourceType,
    ...(r.physicalId ? { physicalId: r.physicalId } : {}),
    ...(r.outcome === 'delete'
      ? {}
      : {
          note: `DeletionPolicy ${r.deletionPolicy}${r.outcome === 'retain' ? ': kept, no longer managed by CloudFormation' : ': a final snapshot is kept, the resource is deleted'}`,
        }),
  }));
  const widths = rowWidths(rows);
  for (const r of rows) {
    // Padded to the type column only when something follows it.
    const head = r.physicalId || r.note ? rowHead(r, widths) : rowHead(r, widths).trimEnd();
    lines.push(
      (r.outcome === 'delete' ? c.red(head) : c.yellow(head)) +
        (r.physicalId ? c.dim(`  ${r.physicalId}`) : '') +
        (r.note ? c.dim(`  (${r.note})`) : ''),
    );
  }
  const deleted = plan.resources.filter((r) => r.outcome !== 'retain').length;
  lines.push('');
  const snapshots = plan.resources.filter((r) => r.outcome === 'snapshot').length;
  lines.push(
    `${deleted} to delete${snapshots ? ` (${snapshots} after a final snapshot)` : ''}, ${plan.resources.length - deleted} to retain`,
  );
  if (plan.retained.some((r) => r.outcome === 'retain')) {
    lines.push(c.dim('retained resources keep existing (and costing) after the stack is gone; delete them yourself when no longer needed'));
  }
  return lines.join('\n');
}

/** `Outputs:` block. */
export function renderOutputs(outputs: Record<string, string>, color: boolean): string {
  const c = paint(color);
  const keys = Object.keys(outputs);
  if (!keys.length) return '';
  const width = Math.max(...keys.map((k) => k.length));
  return [c.bold('Outputs:'), ...keys.map((k) => `  ${k.padEnd(width)}  ${outputs[k]}`)].join('\n');
}

/** A property value in one line (at most 160 characters): `"on"`, `{"Enabled":true}`, `(not set)`. */
export function show(v: unknown): string {
  if (v === undefined) return '(not set)';
  const text = JSON.stringify(v);
  return text.length > 160 ? text.slice(0, 159) + '…' : text;
}

/** adopt: each property imported as it is, which the next apply changes (one line each; '' when none). */
export function renderImportDeferred(plan: ImportPlan, color: boolean): string {
  const c = paint(color);
  return plan.imports
    .flatMap((i) =>
      i.deferred.map((d) =>
        c.yellow(`  ${i.logicalId}.${d.property}: imported as ${show(d.live)}; the next mfinfra apply sets ${show(d.template)}`),
      ),
    )
    .join('\n');
}
