import { describe, expect, it } from 'vitest';
import { setRuntime } from '../../src/cli/context.js';
import { requireTtyOrYes, terminalHost } from '../../src/cli/terminalHost.js';
import { MfinfraError } from '../../src/errors.js';
import { ioMessage } from '../../src/iohost/messages.js';
import { event } from './helpers.js';

function runtime(isTTY: boolean) {
  const lines: string[] = [];
  setRuntime({ io: { out: (t) => lines.push(t), err: (t) => lines.push(t), color: false, isTTY }, setExitCode: () => undefined });
  return lines;
}

const hostOptions = { json: false, debug: false, yes: false, format: 'terminal' as const, ask: true };

describe("the CLI's IoHost", () => {
  it('Ctrl-C aborts its signal (stops waiting) instead of killing the process; dispose removes the handler', async () => {
    runtime(true);
    const before = process.listeners('SIGINT');
    const host = await terminalHost(hostOptions);
    const signal = host.watchInterrupts();
    const added = process.listeners('SIGINT').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    expect(signal.aborted).toBe(false);
    (added[0] as () => void)();
    expect(signal.aborted).toBe(true);
    expect(host.interrupted()).toBe(true);
    host.dispose();
    expect(process.listeners('SIGINT')).toEqual(before);
  });

  it('prints steps and events to stderr, failures with their reason', async () => {
    const lines = runtime(false);
    const host = await terminalHost(hostOptions);
    host.notify(
      ioMessage('DEPLOY_STEP', 'executing change set cs on mf-test', { step: 'execute', message: 'executing change set cs on mf-test' }),
    );
    const { toEventLine } = await import('../../src/deploy/events.js');
    const failed = toEventLine(event('QueueJobs', 'CREATE_FAILED', 'Queue already exists', '2026-01-01T12:00:11Z'));
    host.notify(ioMessage('STACK_EVENT', 'CREATE_FAILED', { event: failed, progress: { done: 1, total: 3 } }));
    host.dispose();
    // Kept for apply's and destroy's --json output, with the n/N count each event brought.
    expect(host.events).toEqual([{ ...failed, done: 1, total: 3 }]);
    expect(lines).toEqual([
      '• executing change set cs on mf-test',
      '      1/3  12:00:11  CREATE_FAILED                AWS::SQS::Queue                    QueueJobs  Queue already exists',
    ]);
  });

  it('the SDK notices show only under --debug; compile warnings not under --json', async () => {
    const lines = runtime(false);
    const notice = ioMessage('SDK_NOTICE', 'the SDK will drop Node.js 20', { notice: 'the SDK will drop Node.js 20' });
    (await terminalHost(hostOptions)).notify(notice);
    expect(lines).toEqual([]);
    (await terminalHost({ ...hostOptions, debug: true })).notify(notice);
    expect(lines).toEqual(['note: the SDK will drop Node.js 20']);
    const warning = { code: 'W', severity: 'warning' as const, message: 'a warning' };
    (await terminalHost({ ...hostOptions, json: true })).notify(ioMessage('COMPILE_WARNINGS', '1 warning', { warnings: [warning] }));
    expect(lines).toHaveLength(1);
  });

  it('a host that may not ask (plan) answers every question with its default', async () => {
    runtime(false);
    const host = await terminalHost({ ...hostOptions, ask: false });
    const { ioRequest } = await import('../../src/iohost/messages.js');
    await expect(
      host.request(ioRequest('CONFIRM_RECREATE', 'Delete it now?', { stackName: 'mf-test', status: 'ROLLBACK_COMPLETE' }, false)),
    ).resolves.toBe(false);
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
