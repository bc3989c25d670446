/**
 * Progress people can watch, fed by the deploy hooks (onStep, onEvent, onRetry). On a terminal
 * (stderr is a TTY): the step and event lines as they come, above one live status line — a spinner,
 * what is being waited for, the time it has taken, `n/N` resources done (N counted from the change
 * set) and the resource in progress the longest. Without a terminal (CI, a pipe): the same lines, and
 * instead of the live line a plain status line every few seconds while nothing else is printed; no
 * control characters at all.
 */
import type { EventProgress, PreviewSummary, StackEventLine } from '../index.js';
import { paint } from './io.js';

export interface ProgressOutput {
  /** A whole line (the writer adds the newline). */
  line(text: string): void;
  /** Raw text without a newline, for the live status line; only used when `live`. */
  raw(text: string): void;
  /** stderr is a terminal: redraw a status line in place. */
  live: boolean;
  color: boolean;
}

export interface ProgressOptions {
  now?: () => number;
  /** Redraw interval on a terminal, ms. */
  frameMs?: number;
  /** Without a terminal: a status line after this long without other output, ms. */
  plainEveryMs?: number;
}

/** What the status line says while a step runs (the step's own line above has the details). */
const PHASES: Record<string, string> = {
  'create-change-set': 'creating the change set',
  'upload-template': 'uploading the template',
  execute: 'deploying',
  delete: 'deleting the stack',
  'wait-busy': 'waiting for the running operation',
  'continue-rollback': 'continuing the rollback',
  'delete-failed-stack': 'deleting the failed stack',
  cleanup: 'cleaning up',
  'termination-protection': 'updating termination protection',
};

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** `4m12s`, `12s`, `1h03m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `Apply complete: 12 added, 3 changed, 0 replaced, 1 removed in 4m12s`. */
export function completionLine(verb: string, summary: PreviewSummary, ms: number): string {
  return `${verb} complete: ${summary.add} added, ${summary.modify} changed, ${summary.replace} replaced, ${summary.remove} removed in ${formatDuration(ms)}`;
}

export class ProgressDisplay {
  private readonly now: () => number;
  readonly startedAt: number;
  private phase: { message: string; since: number } | undefined;
  private progress: EventProgress | undefined;
  private readonly inProgress = new Map<string, { type: string; since: number }>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private shown = false;
  private lastOutput: number;

  constructor(
    private readonly out: ProgressOutput,
    private readonly opts: ProgressOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.lastOutput = this.startedAt;
  }

  /** A new step: its line above, and the status line waits on it (under a short label). */
  step(message: string, kind?: string): void {
    this.print(paint(this.out.color).dim(`• ${message}`));
    this.phase = { message: (kind && PHASES[kind]) || message, since: this.now() };
    this.run();
  }

  /** A stack event: its line above; n/N and what is in progress update. */
  event(event: StackEventLine, progress: EventProgress, text: string): void {
    this.progress = progress;
    if (!event.isStack) {
      if (/_IN_PROGRESS$/.test(event.status)) {
        if (!this.inProgress.has(event.logicalId)) this.inProgress.set(event.logicalId, { type: event.resourceType, since: this.now() });
      } else {
        this.inProgress.delete(event.logicalId);
      }
    }
    this.print(text);
    this.run();
  }

  /** Any other line (a retry, a warning): above the status line. */
  note(text: string): void {
    this.print(text);
  }

  /** Stop redrawing and clear the status line (before a question, or at the end). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
    this.phase = undefined;
  }

  /** The status text: `creating change set · 7s`, `5/29 done · 1m12s · longest: Db (AWS::RDS::DBInstance) 58s`. */
  status(): string {
    const t = this.now();
    const parts: string[] = [];
    if (this.phase) parts.push(this.phase.message);
    if (this.progress)
      parts.push(this.progress.total !== undefined ? `${this.progress.done}/${this.progress.total} done` : `${this.progress.done} done`);
    parts.push(formatDuration(t - (this.phase?.since ?? this.startedAt)));
    let longest: [string, { type: string; since: number }] | undefined;
    for (const entry of this.inProgress) if (!longest || entry[1].since < longest[1].since) longest = entry;
    if (longest) parts.push(`longest: ${longest[0]} (${longest[1].type}) ${formatDuration(t - longest[1].since)}`);
    return parts.join(' · ');
  }

  private run(): void {
    if (this.timer) return;
    const tick = () => {
      if (this.out.live) {
        this.frame = (this.frame + 1) % SPINNER.length;
        this.draw();
      } else if (this.now() - this.lastOutput >= (this.opts.plainEveryMs ?? 5000)) {
        this.print(`  … ${this.status()}`);
      }
    };
    this.timer = setInterval(tick, this.out.live ? (this.opts.frameMs ?? 100) : 1000);
    this.timer.unref?.();
    if (this.out.live) this.draw();
  }

  private print(text: string): void {
    this.clear();
    this.out.line(text);
    this.lastOutput = this.now();
    if (this.timer && this.out.live) this.draw();
  }

  private draw(): void {
    if (!this.out.live) return;
    const c = paint(this.out.color);
    const columns = process.stderr.columns || 100;
    let text = `${SPINNER[this.frame]} ${this.status()}`;
    if (text.length > columns - 1) text = text.slice(0, columns - 2) + '…';
    this.out.raw(`\r\u001b[2K${c.cyan(text)}`);
    this.shown = true;
  }

  private clear(): void {
    if (this.shown) this.out.raw('\r\u001b[2K');
    this.shown = false;
  }
}
