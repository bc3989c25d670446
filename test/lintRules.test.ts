/**
 * The import rules of eslint.config.js catch what they are for: each case lints a small source as if
 * it were a file of the package (lintText with that path, through the repository's own config).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: repo });

/** The rule ids and lines reported for `code` as the file `file` (relative to the repository). */
async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  return result!.messages.filter((m) => m.ruleId !== null).map((m) => `${m.ruleId}:${m.line}`);
}

describe("mfinfra/cli-public-api: the CLI imports only the package's entry points", () => {
  it('refuses an internal module, in every form of import, at any depth under cli/', { timeout: 120_000 }, async () => {
    const code = [
      "import { ExitCode } from '../errors.js';",
      "import type { StackEventLine } from '../deploy/events.js';",
      "export { paint } from '../preview/style.js';",
      "export async function f() { return (await import('../compile/compile.js')).compile; }",
      "export type R = typeof import('../load/resolve.js');",
      "import { x } from '@mfinfra/core/dist/errors.js';",
      'void ExitCode; void x;',
      'export type E = StackEventLine;',
    ].join('\n');
    expect(await problems('packages/core/src/cli/violation.ts', code)).toEqual([
      'mfinfra/cli-public-api:1',
      'mfinfra/cli-public-api:2',
      'mfinfra/cli-public-api:3',
      'mfinfra/cli-public-api:4',
      'mfinfra/cli-public-api:5',
      'mfinfra/cli-public-api:6',
    ]);
    const nested = "import { fail } from '../../errors.js';\nexport const f = () => import('../../actions/migrate.js');\nvoid fail;\n";
    expect(await problems('packages/core/src/cli/commands/violation.ts', nested)).toEqual([
      'mfinfra/cli-public-api:1',
      'mfinfra/cli-public-api:2',
    ]);
  });

  it('allows src/index.ts, the other declared entry points, and modules inside cli/', { timeout: 120_000 }, async () => {
    const code = [
      "import { ExitCode, type CompileResult } from '../../index.js';",
      "import { definePlugin } from '../../plugin.js';",
      "import { RecordingIoHost } from '@mfinfra/core/testing';",
      "import { cli } from '../context.js';",
      "export const f = () => import('../../index.js');",
      'export type R = CompileResult;',
      'void ExitCode; void definePlugin; void RecordingIoHost; void cli;',
    ].join('\n');
    expect(await problems('packages/core/src/cli/commands/fine.ts', code)).toEqual([]);
  });

  it('applies to cli/ only: the library itself imports its modules directly', { timeout: 120_000 }, async () => {
    expect(await problems('packages/core/src/actions/fine.ts', "import { fail } from '../errors.js';\nvoid fail;\n")).toEqual([]);
  });
});
