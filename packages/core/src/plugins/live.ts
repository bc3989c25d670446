/**
 * The live hooks: `verify` runs at `plan` and `apply`, after the template compiled and before the
 * change set is created, with AWS at hand (`ctx.aws`, `ctx.signal`). Offline commands never run it.
 *
 * compile/compile.ts keeps what a live hook needs (the loaded plugins, their options and models, the
 * manifest source) beside each CompileResult it returns ({@link rememberLive}); the deploy commands
 * run the hooks on that result ({@link verifyCompiled}). Reports point at manifest positions and are
 * gathered over every plugin into one error, exactly as `check`'s are.
 */
import type { CompileResult } from '../compile/result.js';
import { ErrorCode, MfinfraError, type Diagnostic } from '../errors.js';
import type { AwsAccess, LiveContext } from '../plugin.js';
import { throwIfErrors } from '../load/project.js';
import { createPluginContext, runHook, type ContextDeps } from './context.js';
import type { LoadedPlugin } from '../load/loadedPlugin.js';

export interface LiveRun {
  plugins: readonly LoadedPlugin[];
  deps: Omit<ContextDeps, 'diagnostics'>;
  models: ReadonlyMap<string, unknown>;
}

/**
 * Where a compile result keeps its run: a symbol key, so JSON output never shows it, while a copy
 * made by spreading (`{ ...compiled, file }`) still carries it.
 */
const RUN = Symbol('mfinfra.liveRun');

/** Keep what the live hooks need beside a compile result (compile/compile.ts calls it). */
export function rememberLive(result: CompileResult, run: LiveRun): void {
  (result as { [RUN]?: LiveRun })[RUN] = run;
}

/** What a compile result kept for the hooks after compile (undefined for one not made by compileProject). */
export function liveRunOf(compiled: CompileResult): LiveRun | undefined {
  return (compiled as { [RUN]?: LiveRun })[RUN];
}

/** The plugins of a compile result that have a `verify` hook (their names). */
export function verifyingPlugins(compiled: CompileResult): string[] {
  return (liveRunOf(compiled)?.plugins ?? []).filter((lp) => lp.plugin.verify).map((lp) => lp.plugin.name);
}

export interface VerifyResult {
  /** The plugins whose verify hook ran, in order. */
  verified: string[];
  /** Warnings the hooks reported (errors throw). */
  warnings: Diagnostic[];
}

/**
 * Run every plugin's `verify` hook, in dependency order. All problems of all plugins come out as one
 * error (`MANIFEST_INVALID`, exit 3), each at its manifest position; nothing is sent to
 * CloudFormation before. An AWS failure that is not the manifest's (credentials, network, access)
 * is thrown as the deploy commands throw it.
 */
export async function verifyCompiled(compiled: CompileResult, aws: AwsAccess, signal?: AbortSignal): Promise<VerifyResult> {
  const run = liveRunOf(compiled);
  if (!run) return { verified: [], warnings: [] };
  const diagnostics: Diagnostic[] = [];
  const deps: ContextDeps = { ...run.deps, diagnostics };
  const verified: string[] = [];
  for (const lp of run.plugins) {
    const verify = lp.plugin.verify;
    if (!verify) continue;
    if (signal?.aborted) {
      const { abortedError } = await import('../deploy/poll.js');
      throw abortedError('interrupted; nothing was deployed');
    }
    const ctx: LiveContext = { ...createPluginContext(lp, deps, { hook: 'verify' }), aws, signal };
    try {
      await runHook(lp, 'verify', () => verify.call(lp.plugin, ctx, run.deps.manifest[lp.plugin.key], run.models.get(lp.plugin.key)));
    } catch (e) {
      if (signal?.aborted) {
        const { abortedError } = await import('../deploy/poll.js');
        throw abortedError('interrupted; nothing was deployed');
      }
      throw await asAwsFailure(e, lp);
    }
    verified.push(lp.plugin.name);
  }
  throwIfErrors(run.deps.source, diagnostics);
  return { verified, warnings: diagnostics.filter((d) => d.severity === 'warning') };
}

/**
 * An SDK error a hook let through (no credentials, access denied, endpoint down) is not a bug of the
 * plugin: say it as the deploy commands do, naming the plugin.
 */
async function asAwsFailure(e: unknown, lp: LoadedPlugin): Promise<unknown> {
  if (!MfinfraError.is(e) || e.code !== ErrorCode.PLUGIN_ERROR) return e;
  const cause = (e as { cause?: unknown }).cause;
  if (!isSdkFailure(cause)) return e;
  const { toDeployError } = await import('../deploy/awsErrors.js');
  return toDeployError(cause, `check what the ${lp.plugin.key} section reuses (plugin ${lp.plugin.name})`);
}

function isSdkFailure(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { $metadata?: unknown; name?: string; code?: string; cause?: { code?: string } };
  if (err.$metadata !== undefined) return true;
  if (err.name === 'CredentialsProviderError' || err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  const code = err.code ?? err.cause?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}
