import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StackEventLine } from '../index.js';
import { completionLine, formatDuration, ProgressDisplay } from './progress.js';

function ev(logicalId: string, status: string, resourceType = 'AWS::SQS::Queue'): StackEventLine {
  return {
    id: `${logicalId}-${status}`,
    timestamp: '2026-01-01T12:00:00.000Z',
    logicalId,
    resourceType,
    status,
    failed: false,
    isStack: false,
  };
}

function harness(live: boolean) {
  let t = 0;
  const lines: string[] = [];
  let raw = '';
  const p = new ProgressDisplay(
    { line: (s) => lines.push(s), raw: (s) => (raw += s), live, color: false },
    { now: () => t, frameMs: 100, plainEveryMs: 5000 },
  );
  const advance = (ms: number) => {
    for (let i = 0; i < ms; i += 100) {
      t += 100;
      vi.advanceTimersByTime(100);
    }
  };
  return { p, lines, raw: () => raw, advance };
}

afterEach(() => vi.useRealTimers());

describe('progress', () => {
  it('durations and the final line read as people write them', () => {
    expect([formatDuration(0), formatDuration(12_400), formatDuration(252_000), formatDuration(3_780_000)]).toEqual([
      '0s',
      '12s',
      '4m12s',
      '1h03m',
    ]);
    expect(completionLine('Apply', { add: 12, modify: 3, replace: 0, remove: 1, import: 0 }, 252_000)).toBe(
      'Apply complete: 12 added, 3 changed, 0 replaced, 1 removed in 4m12s',
    );
  });

  it('on a terminal: one status line (spinner, phase, elapsed, n/N, the longest in progress) redrawn under the event lines', () => {
    vi.useFakeTimers();
    const h = harness(true);
    h.p.step('creating CREATE change set x on s', 'create-change-set');
    h.advance(7000);
    expect(h.p.status()).toBe('creating the change set · 7s');
    h.p.step('executing change set x on s', 'execute');
    h.p.event(ev('Db', 'CREATE_IN_PROGRESS', 'AWS::RDS::DBInstance'), { done: 0, total: 3 }, 'line Db');
    h.advance(2000);
    h.p.event(ev('Queue', 'CREATE_IN_PROGRESS'), { done: 0, total: 3 }, 'line Queue');
    h.advance(1000);
    h.p.event(ev('Queue', 'CREATE_COMPLETE'), { done: 1, total: 3 }, 'line Queue done');
    h.advance(60_000);
    expect(h.p.status()).toBe('deploying · 1/3 done · 1m03s · longest: Db (AWS::RDS::DBInstance) 1m03s');
    // Lines go above: the status line is cleared before each and drawn again after.
    expect(h.lines).toEqual([
      '• creating CREATE change set x on s',
      '• executing change set x on s',
      'line Db',
      'line Queue',
      'line Queue done',
    ]);
    expect(h.raw()).toContain('\r\u001b[2K⠙ deploying · 1/3 done');
    h.p.pause();
    expect(h.raw().endsWith('\r\u001b[2K')).toBe(true);
  });

  it('without a terminal: plain lines only, a status line every few seconds of silence, no control characters', () => {
    vi.useFakeTimers();
    const h = harness(false);
    h.p.step('executing change set x on s', 'execute');
    h.p.event(ev('Db', 'CREATE_IN_PROGRESS', 'AWS::RDS::DBInstance'), { done: 0, total: 2 }, 'line Db');
    h.advance(12_000);
    h.p.pause();
    expect(h.raw()).toBe('');
    expect(h.lines.slice(0, 2)).toEqual(['• executing change set x on s', 'line Db']);
    const status = h.lines.slice(2);
    expect(status.length).toBeGreaterThanOrEqual(2);
    expect(status[0]).toMatch(/^ {2}… deploying · 0\/2 done · \d+s · longest: Db \(AWS::RDS::DBInstance\) \d+s$/);
    // No control characters (escape codes, carriage returns) in CI logs.
    expect([...h.lines.join('\n')].filter((ch) => ch !== '\n' && ch.charCodeAt(0) < 32)).toEqual([]);
  });
});
