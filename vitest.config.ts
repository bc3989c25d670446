import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // cfn-lint loads its whole resource spec per run (~4 s alone, far more on a loaded 2-core machine):
    // a generous ceiling keeps those checks from timing out without hiding a hang for long.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // mfinfra's caches (ajv validators, the CLI's V8 code cache) go to a temporary folder, not ~/.cache.
    env: { MFINFRA_CACHE_DIR: path.join(os.tmpdir(), 'mfinfra-test-cache') },
    // CI (.ci/run) asks for a JSON report beside the usual output to print its totals line.
    reporters: process.env.MFINFRA_TEST_JSON ? ['default', ['json', { outputFile: process.env.MFINFRA_TEST_JSON }]] : ['default'],
  },
});
