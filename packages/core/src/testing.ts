/**
 * Test helpers for plugin authors (`@mfinfra/core/testing`):
 *
 * ```ts
 * import { cfnLint, cfnLintAvailable, compileManifest, iamViolations } from '@mfinfra/core/testing';
 * const result = await compileManifest(manifestYaml, { plugins: { gpu: myPlugin } });
 * expect(result.template.Resources.GpuQueue.Type).toBe('AWS::Batch::JobQueue');
 * expect(iamViolations(result.template)).toEqual([]);
 * if (cfnLintAvailable()) expect(await cfnLint({ gpu: result.body })).toEqual({ gpu: [] });
 * ```
 *
 * - compiling: {@link compileManifest}, {@link compileError}, {@link problems}, {@link errorOf};
 * - live hooks: {@link verifyManifest} runs every plugin's `verify` with the AWS access you give
 *   (`awsAccess({ endpoint })` for a moto server, or your own stand-in);
 * - errors as the user sees them: `diagnosticsOf`, `problemsOf` (./testing/problems.ts);
 * - security checks: `iamStatements`, `iamViolations`, `actionsOnAnyResource`, `openIngress`
 *   (./testing/templateChecks.ts);
 * - peer tools: `cfnLint`, `lintVariants`, `noFindings`, `cfnLintAvailable`, `peerAvailable` (./testing/cfnLint.ts, ./testing/peers.ts);
 * - the actions' messages: {@link RecordingIoHost}, an IoHost that records every message and answers
 *   questions from a table (./iohost/recording.ts); assert on message codes, not on English;
 * - stand-ins for the plugins yours requires: `fakeNetwork`, `fakeDatastore`, `fakeBatch` (the
 *   first-party apis' agreed shapes), `fakePlugin` for any other, and `apiReader` to see what a
 *   plugin's api gives (./testing/fakes.ts).
 *
 * Nothing here is used by core at run time, and importing it loads only node built-ins and the
 * plugin contract (`@mfinfra/core/plugin`): the compiler loads on the first compile.
 */
import assert from 'node:assert';
import type { CompileResult } from './compile/compile.js';
import { MfinfraError } from './errors.js';
import type { AwsAccess, Plugin } from './plugin.js';
import { problemsOf, type Problem } from './testing/problems.js';

export { RecordingIoHost } from './iohost/recording.js';
export type { IoAnswers } from './iohost/recording.js';

export interface CompileManifestOptions {
  /** Plugin objects for `plugins:` entries (others are resolved from `cwd` as usual). */
  plugins?: Readonly<Record<string, Plugin<any, any>>>;
  /** Folder the manifest is taken to live in (for resolving packages and relative paths). */
  cwd?: string;
  format?: 'json' | 'yaml';
}

/** Compile manifest text in memory. Throws the same MfinfraError the CLI would report. */
export async function compileManifest(manifestYaml: string, options: CompileManifestOptions = {}): Promise<CompileResult> {
  const { compile } = await import('./compile/compile.js');
  return compile({ text: manifestYaml, cwd: options.cwd, inlinePlugins: options.plugins, format: options.format });
}

/**
 * The MfinfraError a promise rejects with. Fails (throws) with `expected` when it resolves, and
 * rethrows any other error.
 */
export async function errorOf(promise: Promise<unknown>, expected = 'expected an MfinfraError, but it succeeded'): Promise<MfinfraError> {
  try {
    await promise;
  } catch (e) {
    if (MfinfraError.is(e)) return e;
    throw e;
  }
  assert.fail(expected);
}

/** Compile and return the error it fails with (fails the test if it compiles). */
export function compileError(manifestYaml: string, options: CompileManifestOptions = {}): Promise<MfinfraError> {
  return errorOf(compileManifest(manifestYaml, options), 'expected the manifest to fail to compile, but it compiled');
}

/** The problems a manifest fails to compile with, as the user sees them (see `problemsOf`). */
export async function problems(manifestYaml: string, options: CompileManifestOptions = {}): Promise<Problem[]> {
  return problemsOf(await compileError(manifestYaml, options));
}

export { MfinfraError };
export { cfnLint, lintVariants, noFindings, type CfnLintOptions } from './testing/cfnLint.js';
export { cfnLintAvailable, peerAvailable, type PeerOptions } from './testing/peers.js';
export {
  FAKE_EXISTING_SUBNETS,
  apiReader,
  fakeBatch,
  fakeDatastore,
  fakeNetwork,
  fakePlugin,
  type FakeBatchApi,
  type FakeBatchOptions,
  type FakeDatastoreApi,
  type FakeDatastoreOptions,
  type FakeIamStatement,
  type FakeNetworkApi,
  type FakeNetworkOptions,
} from './testing/fakes.js';
export { diagnosticsOf, problemsOf, type Problem } from './testing/problems.js';
export {
  actionsOnAnyResource,
  iamStatements,
  iamViolations,
  openIngress,
  type IamStatement,
  type TemplateLike,
} from './testing/templateChecks.js';

/**
 * Run the plugins' `verify` hooks on a compile result, as `plan`/`apply` do before the change set:
 * resolves when every check passed, rejects with the same error the CLI would show.
 */
export async function verifyManifest(compiled: CompileResult, aws: AwsAccess, signal?: AbortSignal): Promise<void> {
  const { verifyCompiled } = await import('./plugins/live.js');
  await verifyCompiled(compiled, aws, signal);
}

/**
 * AWS access for `verify` tests against an emulator: core's own client settings (fake credentials,
 * one attempt) aimed at `endpoint`, e.g. a moto server on 127.0.0.1.
 */
export async function awsAccess(options: { endpoint: string; region?: string }): Promise<AwsAccess> {
  const { createAwsClients } = await import('./aws/clients.js');
  return createAwsClients({
    region: options.region ?? 'us-east-1',
    endpointUrl: options.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}
