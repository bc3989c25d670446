import { afterEach, describe, expect, it, vi } from 'vitest';
import { peerAvailable } from './peers.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('peerAvailable', () => {
  it('is true for a tool that runs', () => {
    expect(peerAvailable(process.execPath)).toBe(true);
  });

  it('outside CI: one warning line with the install hint, then false (checked once)', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(peerAvailable('mfinfra-no-such-tool-1', { install: 'pip install no-such-tool' })).toBe(false);
    expect(peerAvailable('mfinfra-no-such-tool-1')).toBe(false);
    expect(warn.mock.calls).toEqual([['skipping tests that need mfinfra-no-such-tool-1: not found (pip install no-such-tool)']]);
  });

  it('names the tool and checks it with the given command line', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const moto = (module: string) => peerAvailable(process.execPath, { name: 'moto', args: ['-e', `require(${JSON.stringify(module)})`] });
    expect(moto('node:fs')).toBe(true);
    expect(moto('mfinfra-no-such-module')).toBe(false);
    expect(warn.mock.calls).toEqual([['skipping tests that need moto: not found (pip install moto)']]);
  });

  it('in CI: a missing tool is an error', () => {
    vi.stubEnv('CI', 'true');
    expect(() => peerAvailable('mfinfra-no-such-tool-2')).toThrow(
      'mfinfra-no-such-tool-2 is required in CI but was not found (pip install mfinfra-no-such-tool-2)',
    );
  });
});
