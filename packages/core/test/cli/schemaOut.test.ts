/** `mfinfra schema --out` writes as `compile --out` does: never over the manifest, never to an empty name. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';

const MANIFEST = 'version: 1\nstack: { name: s, region: us-east-1 }\nplugins: []\noutputs: { metaflowConfig: { enabled: false } }\n';

describe('schema --out', () => {
  it('refuses the manifest as --out (exit 2, the manifest unchanged); writes another file relative to --cwd', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-schema-out-'));
    const manifest = path.join(dir, 'metaflow.infra.yaml');
    writeFileSync(manifest, MANIFEST);
    const refused = await runCli(['schema', '--cwd', dir, '--out', 'metaflow.infra.yaml', '--json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout).error.code).toBe('OUTPUT_UNWRITABLE');
    expect(readFileSync(manifest, 'utf8')).toBe(MANIFEST);
    const ok = await runCli(['schema', '--cwd', dir, '--out', 'editor.schema.json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'editor.schema.json'), 'utf8')).$id).toBe(
      'https://mfinfra.dev/schema/metaflow.infra.json',
    );
  });

  it('an empty --out is a usage error, not the schema on stdout', async () => {
    const r = await runCli(['schema', '--out', '', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'USAGE', message: '--out needs a file name (it was empty)' });
  });
});
