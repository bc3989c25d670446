/**
 * Issue 12, item 10: config writes are all or nothing. With the disk full when the sidecar record
 * (the second file) is written, Metaflow's config.json keeps its old content, no backup or temporary
 * file is left, and the error says truly that nothing was written.
 */
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MfinfraError } from '../../src/errors.js';
import { writeConfigOutputs } from '../../src/outputs/index.js';
import { compileManifest } from '../../src/testing.js';
import { API_KEY_VALUE, recordedOutputs, testPlugins } from './plugins.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return { ...real, open: vi.fn(real.open) };
});
const realFs = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
afterEach(() => vi.mocked(fsp.open).mockImplementation(realFs.open));

const apiGateway = mockClient(APIGatewayClient);
apiGateway.on(GetApiKeyCommand).resolves({ id: 'k1a2b3c4d5', value: API_KEY_VALUE, enabled: true });

describe('writeConfigOutputs with a full disk', () => {
  it('the record fails to write: config.json is not changed, nothing else is left, and the message says nothing was written', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-outputs-faults-'));
    const home = path.join(dir, 'mfhome');
    mkdirSync(home);
    writeFileSync(path.join(home, 'config.json'), '{}\n');
    const compiled = await compileManifest(
      'version: 1\nstack: { name: metaflow-prod, region: us-west-2 }\nplugins: [store, service, queue]\noutputs: { envFile: metaflow.env }\n',
      { plugins: testPlugins, cwd: dir },
    );
    vi.mocked(fsp.open).mockImplementation(async (file, flags, mode) => {
      const handle = await realFs.open(file, flags, mode);
      if (String(file).includes('.config.json.mfinfra.json') && String(file).endsWith('.tmp')) {
        return Object.assign(Object.create(handle) as fsp.FileHandle, {
          writeFile: async () => {
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          },
          close: () => handle.close(),
          sync: () => handle.sync(),
        });
      }
      return handle;
    });
    const err = (await writeConfigOutputs({
      compiled,
      stackOutputs: recordedOutputs,
      region: 'us-west-2',
      options: { env: { METAFLOW_HOME: home, HOME: dir } },
    }).catch((e: unknown) => e)) as MfinfraError;
    expect(err.code).toBe('OUTPUT_UNWRITABLE');
    expect(err.message).toMatch(
      /^cannot write .*\.config\.json\.mfinfra\.json: ENOSPC: no space left on device, write; nothing was written$/,
    );
    expect(readFileSync(path.join(home, 'config.json'), 'utf8')).toBe('{}\n');
    expect(readdirSync(home)).toEqual(['config.json']);
    expect(readdirSync(dir).sort()).toEqual(['mfhome']);
  });
});
