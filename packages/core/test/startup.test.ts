// What the CLI loads at start-up: the commands that need no AWS and render no template (validate,
// compile, schema, plugins, plan --offline) must not load the AWS SDK, handlebars, jiti or the
// TypeScript compiler; the CLI bundle must stay small and each first-party plugin be one module:
// start time is a target of `pnpm bench`.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '../bin/mfinfra.js');
const bundle = path.join(here, '../dist-cli/mfinfra.cjs');
const recorder = path.join(here, 'helpers/record-requires.mjs');
const full = path.join(here, '../../../examples/full');
const heavy = /^(@aws-sdk\/|@smithy\/|handlebars$|jiti$|typescript$)/;

/** Run the CLI with the require() recorder: its exit code and the modules it loaded. */
async function loaded(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; mods: string[] }> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mfinfra-requires-')), 'list');
  const code = await promisify(execFile)(process.execPath, ['--import', recorder, bin, ...args], {
    env: { ...process.env, NO_COLOR: '1', MFINFRA_RECORD_REQUIRES: file, ...env },
  }).then(
    () => 0,
    (e: { code?: number }) => e.code ?? 1,
  );
  return { code, mods: readFileSync(file, 'utf8').split('\n') };
}

describe('CLI start-up', () => {
  it.each(['validate', 'compile', 'schema', 'plugins', 'plan --offline'])(
    '%s loads no AWS SDK, handlebars, jiti or TypeScript',
    async (cmd) => {
      const { code, mods } = await loaded([...cmd.split(' '), full]);
      expect(code).toBe(0); // it did its whole job, not stop before loading what it needs
      expect(mods).toContain('fs'); // the recorder saw the bundle's own requires
      expect(mods.filter((m) => heavy.test(m))).toEqual([]);
    },
    60_000,
  );

  it('the recorder does see the AWS SDK when a command needs it', async () => {
    const { mods } = await loaded(['plan', full, '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'], {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(mods.some((m) => m.startsWith('@aws-sdk/'))).toBe(true);
  }, 60_000);

  it('each first-party plugin loads as one module (its dist/index.js imports no file of its own)', () => {
    const plugins = readdirSync(path.join(here, '../..')).filter((d) => d.startsWith('plugin-'));
    expect(plugins.length).toBeGreaterThanOrEqual(8);
    for (const p of plugins) {
      const code = readFileSync(path.join(here, '../..', p, 'dist/index.js'), 'utf8');
      expect(code.match(/(?:from|import)\s*\(?\s*["']\.\.?\/[^"']*["']/g) ?? [], p).toEqual([]);
    }
  });

  it('the bundle stays small (nothing pulls a compiler or the SDK into it)', () => {
    const mb = statSync(bundle).size / 1024 / 1024;
    expect(mb, `dist-cli/mfinfra.cjs is ${mb.toFixed(2)} MB`).toBeLessThan(1.5);
    expect(readFileSync(bundle, 'utf8')).not.toContain('Compiler_option_0_of_value_1_is_unstable');
  });
});
