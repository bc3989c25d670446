import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import cliPublicApi from './scripts/eslint-rules/cli-public-api.js';

// Errors are data with a registered code and kind (packages/core/src/errors.ts): an Error thrown
// bare has neither. Plugins report manifest problems through ctx and throw PluginError for bugs.
const noBareErrors = [
  {
    selector: "ThrowStatement > :matches(NewExpression, CallExpression)[callee.name='Error']",
    message:
      'no bare Error: in core make one with fail.<CODE>(...) from errors.ts (or assert for an internal invariant); in a plugin use ctx.report/ctx.error, or throw PluginError for a bug',
  },
];
// Core makes errors only through the registry's factories, and never spells a code as a literal.
const coreCodedErrors = [
  ...noBareErrors,
  {
    selector: "NewExpression[callee.name='MfinfraError']",
    message:
      'make errors with fail.<CODE>(...), restate(...) or manifestProblems(...) from errors.ts: the code decides the kind and exit code',
  },
  {
    selector: "Property[key.name='code'] > Literal[value=/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/]",
    message: 'use ErrorCode.<CODE> (register a new code in ERROR_CODES, errors.ts)',
  },
  {
    selector: "Property[key.name='exitCode'][value.type!='Identifier']",
    message: "an error's exit code comes from its kind (ERROR_CODES in errors.ts); do not give one",
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/dist-cli/**', '**/node_modules/**', '**/*.d.ts', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    // Core never prints and never ends the process: only the CLI layer talks to the terminal (the
    // library reports through the IoHost and returns or throws).
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/cli/**', '**/*.test.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli/*', '**/cli/**'], message: 'the library depends on nothing in cli/: the CLI calls the library, not back' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'only src/cli/ ends the process: return a result or throw a registered error' },
        {
          object: 'process',
          property: 'exitCode',
          message: 'only src/cli/ sets the exit code: return a result or throw a registered error',
        },
        { object: 'process', property: 'stdout', message: 'only src/cli/ writes to the terminal: send a message to the IoHost' },
        { object: 'process', property: 'stderr', message: 'only src/cli/ writes to the terminal: send a message to the IoHost' },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/core/src/**'],
    rules: { 'no-restricted-syntax': ['error', ...noBareErrors] },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/core/src/errors.ts', 'packages/core/src/cli/**'],
    rules: { 'no-restricted-syntax': ['error', ...coreCodedErrors] },
  },
  {
    // The CLI prints exit codes in --json results (plan's { ok, exitCode }); it makes no errors by hand either.
    files: ['packages/core/src/cli/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...coreCodedErrors.slice(0, -1)] },
  },
  {
    // The CLI is a user of the package like any other: it imports only the declared entry points
    // (src/index.ts, @mfinfra/core/plugin, /testing), never a module behind them (test/lintRules.test.ts).
    files: ['packages/core/src/cli/**/*.ts'],
    plugins: { mfinfra: { rules: { 'cli-public-api': cliPublicApi } } },
    rules: { 'mfinfra/cli-public-api': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'scripts/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly' } },
  },
);
