/**
 * The CLI's IoHost (iohost/messages.ts): the actions' messages as the terminal shows them, and their
 * questions asked on it. Progress and questions go to stderr (stdout stays for results and --json);
 * stack events are kept for apply's and destroy's --json. Ctrl-C aborts the run's signal instead of
 * killing the process (a second Ctrl-C quits at once).
 */
import { appendFileSync } from 'node:fs';
import type { AnyIoMessage, EventProgress, IoHost, IoRequest, IoRequestCode, IoResponse, StackEventLine } from '../index.js';
import { cli } from './context.js';
import type { CliIo } from './io.js';
import { paint } from './io.js';
import type { ProgressDisplay } from './progress.js';
import { renderWarnings } from './renderError.js';

export interface TerminalHostOptions {
  /** --json: compile warnings are left out (they are in the JSON result where it has them). */
  json: boolean;
  /** --debug: the SDK's own notices are shown. */
  debug: boolean;
  /** --yes: nothing is asked; a --json apply does not show the preview on stderr. */
  yes: boolean;
  /** The preview's format (apply shows the change set's preview before asking). */
  format: 'terminal' | 'markdown' | 'json';
  /** Ask questions on the terminal (apply, destroy); else each gets its default answer (plan). */
  ask: boolean;
}

type Renderers = Pick<
  typeof import('../index.js'),
  'formatEvent' | 'renderDestroyPlan' | 'renderGateResult' | 'renderImportDeferred' | 'renderPreview'
>;

export class TerminalIoHost implements IoHost {
  /** Every stack event shown, with the n/N count it brought (for --json). */
  readonly events: (StackEventLine & EventProgress)[] = [];
  readonly progress: ProgressDisplay;
  private readonly controller = new AbortController();
  private readonly onSigint: () => void;
  private watching = false;

  constructor(
    private readonly io: CliIo,
    private readonly options: TerminalHostOptions,
    private readonly render: Renderers,
    Progress: typeof ProgressDisplay,
  ) {
    this.progress = new Progress({
      line: (t) => io.err(t),
      raw: (t) => io.errRaw?.(t),
      live: Boolean(io.errLive && io.errRaw),
      color: io.color,
    });
    const c = paint(io.color);
    this.onSigint = () => {
      if (!this.controller.signal.aborted) {
        io.err(c.yellow('interrupted: no further change is sent to AWS; cleaning up what this run made (Ctrl-C again to quit at once)'));
        this.controller.abort();
        return;
      }
      io.err(c.red('quit before the cleanup finished: a change set or REVIEW_IN_PROGRESS placeholder of this run may be left behind'));
      process.exit(130);
    };
  }

  /** From now on Ctrl-C aborts this signal (call once the run is about to talk to AWS). */
  watchInterrupts(): AbortSignal {
    if (!this.watching) process.on('SIGINT', this.onSigint);
    this.watching = true;
    return this.controller.signal;
  }

  interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Clear the status line and stop watching Ctrl-C. */
  dispose(): void {
    this.progress.pause();
    if (this.watching) process.off('SIGINT', this.onSigint);
    this.watching = false;
  }

  notify(message: AnyIoMessage): void {
    const { io, options } = this;
    const c = paint(io.color);
    switch (message.code) {
      case 'COMPILE_WARNINGS':
        if (!options.json) io.err(renderWarnings(message.data.warnings, io.color));
        return;
      case 'SDK_NOTICE':
        // The SDK's notices are about its own future (e.g. Node.js support), not this run: only under --debug.
        if (options.debug) io.err(c.dim(`note: ${message.data.notice}`));
        return;
      case 'DEPLOY_STEP':
        this.progress.step(message.data.message, message.data.step);
        return;
      case 'RETRY': {
        const r = message.data;
        this.progress.note(
          c.yellow(
            `• still trying to ${r.what}: ${r.reason}; next try in ${Math.round(r.delayMs / 1000)} s, giving up in ${Math.round(r.giveUpInMs / 1000)} s`,
          ),
        );
        return;
      }
      case 'STACK_EVENT': {
        const { event, progress } = message.data;
        this.events.push({ ...event, ...progress });
        this.progress.event(event, progress, this.render.formatEvent(event, progress, io.color));
        return;
      }
      case 'CHANGE_SET_REVIEW':
        this.showChangeSet(message.data);
        return;
      case 'DESTROY_REVIEW':
        this.progress.pause();
        io.err(this.render.renderDestroyPlan(message.data.plan, io.color));
        return;
      case 'IMPORT_REVIEW': {
        this.progress.pause();
        const text = this.render.renderPreview(message.data.preview, 'terminal', { color: io.color });
        if (options.json) io.err(text);
        else io.out(text);
        const deferred = this.render.renderImportDeferred(message.data.plan, io.color);
        if (deferred) io.err(deferred);
        return;
      }
      case 'MIGRATION_STEP_REVIEW':
        this.showMigrationStep(message.data);
        return;
    }
  }

  async request<C extends IoRequestCode>(question: IoRequest<C>): Promise<IoResponse<C>> {
    this.progress.pause();
    if (!this.options.ask) return question.defaultResponse;
    if (question.code === 'CONFIRM_DESTROY') {
      const q = question as unknown as IoRequest<'CONFIRM_DESTROY'>;
      if (q.data.typeStackName) {
        const { askTyped } = await import('./confirm.js');
        return askTyped(q.message, q.data.plan.stackName) as Promise<IoResponse<C>>;
      }
    }
    return askYesNo(question.message) as Promise<IoResponse<C>>;
  }

  /** migrate: the step about to run, its details and preview (stdout; stderr under --json), and what the gates say. */
  private showMigrationStep(r: Extract<AnyIoMessage, { code: 'MIGRATION_STEP_REVIEW' }>['data']): void {
    const { io, options } = this;
    const c = paint(io.color);
    this.progress.pause();
    const print = (t: string) => (options.json ? io.err(t) : io.out(t));
    print(c.bold(`step ${r.number}/${r.of} ${r.step}: ${r.title}`));
    for (const line of r.lines) print(`  ${line}`);
    if (r.preview) print(this.render.renderPreview(r.preview, 'terminal', { color: io.color, ...(r.gates ? { gates: r.gates } : {}) }));
    if (r.gates) {
      const gateText = this.render.renderGateResult(r.gates.approvable ? r.gates : { ...r.gates, blocked: [] }, 'terminal', {
        color: io.color,
      });
      if (gateText) io.err(gateText);
    }
  }

  /** apply: the change set is ready: its preview, and what the gates allow or ask. */
  private showChangeSet(data: Extract<AnyIoMessage, { code: 'CHANGE_SET_REVIEW' }>['data']): void {
    const { io, options } = this;
    const { preview, gates } = data;
    this.progress.pause(); // no status line over the preview and the question
    appendStepSummary(io, this.render.renderPreview(preview, 'markdown', { color: false, gates }));
    if (options.format !== 'json') {
      const format = options.format === 'markdown' ? 'markdown' : 'terminal';
      io.out(this.render.renderPreview(preview, format, { color: format === 'terminal' && io.color, gates }));
      // Refusals come back once, as the error that follows; here only what is asked or allowed.
      const shown = gates.approvable ? gates : { ...gates, blocked: [] };
      const gateText = format === 'markdown' ? '' : this.render.renderGateResult(shown, 'terminal', { color: io.color });
      if (gateText) io.err(gateText);
    } else if (!options.yes) {
      // stdout is for the JSON result; the person answering the prompt still sees what they approve.
      io.err(this.render.renderPreview(preview, 'terminal', { color: io.color }));
    }
  }
}

/** A terminal host for this run (renderers and the progress display load here, not at startup). */
export async function terminalHost(options: TerminalHostOptions): Promise<TerminalIoHost> {
  const { formatEvent, renderDestroyPlan, renderGateResult, renderImportDeferred, renderPreview } = await import('../index.js');
  const { ProgressDisplay } = await import('./progress.js');
  return new TerminalIoHost(
    cli().io,
    options,
    { formatEvent, renderDestroyPlan, renderGateResult, renderImportDeferred, renderPreview },
    ProgressDisplay,
  );
}

/** Append the Markdown preview to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions' job summary). */
export function appendStepSummary(io: CliIo, markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendFileSync(file, markdown + '\n');
  } catch (e) {
    io.err(`warning: cannot append to $GITHUB_STEP_SUMMARY: ${(e as Error).message}`);
  }
}

/** Without a terminal nobody can answer a prompt: refuse up front (before any AWS call) unless --yes. */
export async function requireTtyOrYes(what: string, yes: boolean): Promise<void> {
  if (yes || cli().io.isTTY) return;
  const { fail } = await import('../index.js');
  throw fail.CONFIRMATION_REQUIRED(`${what} needs a confirmation, but the terminal (TTY) is not attached`, {
    hint: 'review the changes first (`mfinfra plan`), then pass --yes to go ahead without a prompt',
  });
}

/**
 * Ask a yes/no question on the terminal (stderr), default no. Ctrl-C or end of input answers no.
 * Refuses without a TTY: the caller must pass --yes.
 */
export async function askYesNo(question: string): Promise<boolean> {
  await requireTtyOrYes(question.replace(/\?$/, ''), false);
  const { askLine } = await import('./confirm.js');
  return askLine(`${question} [y/N] `, (answer) => /^y(es)?$/i.test(answer.trim()));
}
