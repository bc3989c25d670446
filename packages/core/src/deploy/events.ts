/**
 * Stack events as they come: read DescribeStackEvents (newest first, paginated) down to the first
 * event already seen or older than the operation, and hand back the new ones oldest first, once each.
 */
import { DescribeStackEventsCommand, type CloudFormationClient, type StackEvent } from '@aws-sdk/client-cloudformation';
import { callAws, type PollOptions } from './poll.js';
import type { EventProgress, StackEventLine } from './progress.js';

export type { EventProgress, StackEventLine } from './progress.js';

const FINAL = /_(COMPLETE|FAILED|SKIPPED)$/;

export function toEventLine(e: StackEvent): StackEventLine {
  const status = e.ResourceStatus ?? 'UNKNOWN';
  const isStack =
    e.ResourceType === 'AWS::CloudFormation::Stack' && (e.PhysicalResourceId === e.StackId || e.LogicalResourceId === e.StackName);
  return {
    id: e.EventId ?? `${e.LogicalResourceId}-${status}-${e.Timestamp?.toISOString()}`,
    timestamp: (e.Timestamp ?? new Date(0)).toISOString(),
    logicalId: e.LogicalResourceId ?? '',
    resourceType: e.ResourceType ?? '',
    ...(e.PhysicalResourceId ? { physicalId: e.PhysicalResourceId } : {}),
    status,
    ...(e.ResourceStatusReason ? { reason: e.ResourceStatusReason } : {}),
    failed: status.endsWith('_FAILED'),
    isStack,
  };
}

export class StackEventWatcher {
  private readonly seen = new Set<string>();
  private readonly finished = new Set<string>();
  readonly failures: StackEventLine[] = [];

  /**
   * @param stackId the stack's ARN (events of a deleted stack are only found by id)
   * @param since events before this instant (AWS's clock, e.g. the change set's CreationTime) belong to earlier operations
   * @param total how many resources the operation touches, for the progress count
   */
  constructor(
    private readonly cfn: CloudFormationClient,
    private readonly stackId: string,
    private readonly since?: Date,
    private readonly total?: number,
    private readonly options: PollOptions = {},
  ) {}

  /** Mark every current event as seen, so only later ones are reported (when no `since` is known). */
  async prime(): Promise<void> {
    const out = await callAws(
      'read the stack events',
      (o) => this.cfn.send(new DescribeStackEventsCommand({ StackName: this.stackId }), o),
      this.options,
    );
    for (const e of out.StackEvents ?? []) if (e.EventId) this.seen.add(e.EventId);
  }

  /** New events since the last call, oldest first, each with the progress count as of that event. */
  async poll(): Promise<{ event: StackEventLine; progress: EventProgress }[]> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    pages: do {
      const out = await callAws(
        'read the stack events',
        (o) => this.cfn.send(new DescribeStackEventsCommand({ StackName: this.stackId, NextToken: token }), o),
        this.options,
      );
      for (const e of out.StackEvents ?? []) {
        if (e.EventId && this.seen.has(e.EventId)) break pages;
        if (this.since && e.Timestamp && e.Timestamp < this.since) break pages;
        fresh.push(e);
      }
      token = out.NextToken;
    } while (token);
    const lines: { event: StackEventLine; progress: EventProgress }[] = [];
    for (const e of fresh.reverse()) {
      const line = toEventLine(e);
      if (this.seen.has(line.id)) continue;
      this.seen.add(line.id);
      // The placeholder a CREATE change set makes is not part of the operation.
      if (line.isStack && line.status === 'REVIEW_IN_PROGRESS') continue;
      if (!line.isStack && FINAL.test(line.status)) this.finished.add(line.logicalId);
      if (line.failed) this.failures.push(line);
      lines.push({ event: line, progress: this.progress() });
    }
    return lines;
  }

  progress(): EventProgress {
    return { done: this.finished.size, ...(this.total !== undefined ? { total: Math.max(this.total, this.finished.size) } : {}) };
  }
}
