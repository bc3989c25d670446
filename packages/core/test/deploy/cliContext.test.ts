import { describe, expect, it } from 'vitest';
import { cliDeployContext, requireTtyOrYes } from '../../src/cli/commands/apply.js';
import { setRuntime } from '../../src/cli/context.js';
import { MfinfraError } from '../../src/errors.js';
import { event, harness } from './helpers.js';

function runtime(isTTY: boolean) {
  const lines: string[] = [];
  setRuntime({ io: { out: (t) => lines.push(t), err: (t) => lines.push(t), color: false, isTTY }, setExitCode: () => undefined });
  return lines;
}

describe('the CLI deploy context', () => {
  it('Ctrl-C aborts its signal (stops waiting) instead of killing the process; dispose removes the handler', async () => {
    runtime(true);
    const before = process.listeners('SIGINT');
    const ctx = await cliDeployContext(harness().clients);
    const added = process.listeners('SIGINT').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    expect(ctx.signal!.aborted).toBe(false);
    (added[0] as () => void)();
    expect(ctx.signal!.aborted).toBe(true);
    expect(ctx.interrupted()).toBe(true);
    ctx.dispose();
    expect(process.listeners('SIGINT')).toEqual(before);
  });

  it('prints steps and events to stderr, failures with their reason', async () => {
    const lines = runtime(false);
    const ctx = await cliDeployContext(harness().clients);
    ctx.hooks!.onStep!({ step: 'execute', message: 'executing change set cs on mf-test' });
    const { toEventLine } = await import('../../src/deploy/events.js');
    const failed = toEventLine(event('QueueJobs', 'CREATE_FAILED', 'Queue already exists', '2026-01-01T12:00:11Z'));
    ctx.hooks!.onEvent!(failed, { done: 1, total: 3 });
    ctx.dispose();
    // Kept for apply's and destroy's --json output, with the n/N count each event brought.
    expect(ctx.events).toEqual([{ ...failed, done: 1, total: 3 }]);
    expect(lines).toEqual([
      '• executing change set cs on mf-test',
      '      1/3  12:00:11  CREATE_FAILED                AWS::SQS::Queue                    QueueJobs  Queue already exists',
    ]);
  });

  it('without a TTY, a confirmation needs --yes (exit 2); with a TTY or --yes it goes ahead', async () => {
    runtime(false);
    const e = await requireTtyOrYes('apply to stack mf-test', false).catch((x: unknown) => x);
    expect(MfinfraError.is(e) && [e.code, e.exitCode, e.message]).toEqual([
      'CONFIRMATION_REQUIRED',
      2,
      'apply to stack mf-test needs a confirmation, but the terminal (TTY) is not attached',
    ]);
    await expect(requireTtyOrYes('apply', true)).resolves.toBeUndefined();
    runtime(true);
    await expect(requireTtyOrYes('apply', false)).resolves.toBeUndefined();
  });
});
