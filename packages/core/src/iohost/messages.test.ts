import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IO_CODES, quietIoHost, ioRequest } from './messages.js';
import { RecordingIoHost } from './recording.js';

describe('the IoHost messages', () => {
  it('the table in the doc comment lists every code with its kind and level, and no other', () => {
    const text = readFileSync(new URL('./messages.ts', import.meta.url), 'utf8');
    const rows = [...text.matchAll(/^ \* \| ([A-Z_]+) +\| (notify|request) +\| (\w+) +\|/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(Object.entries(IO_CODES).map(([code, { kind, level }]) => [code, kind, level]));
  });

  it('a quiet host answers every question with its default; a recording host from its table', async () => {
    const q = ioRequest('CONFIRM_RECREATE', 'Delete it now?', { stackName: 's', status: 'ROLLBACK_COMPLETE' }, false);
    await expect(quietIoHost.request(q)).resolves.toBe(false);
    const host = new RecordingIoHost({ CONFIRM_RECREATE: (question) => question.data.status === 'ROLLBACK_COMPLETE' });
    await expect(host.request(q)).resolves.toBe(true);
    expect(host.asked()).toEqual(['CONFIRM_RECREATE']);
    expect(q.level).toBe('info');
  });
});
