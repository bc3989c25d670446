/**
 * The `deployed` phase of the hook table: after deploy (and in `mfinfra outputs`), each plugin's
 * `deployedOutputs` hook reads the config values that need AWS (e.g. an API key's value), in
 * dependency order, with the context it had at compile time plus the deployed stack's Outputs and
 * `ctx.aws`. What they return is merged with the compile-time values (plugins/hooks.ts).
 */
import { ErrorCode, fail, problemsError, type Diagnostic } from '../errors.js';
import type { CompileResult } from '../compile/compile.js';
import type { AwsAccess, DeployedContext, DeployedOutput } from '../plugin.js';
import { createPluginContext, runHook } from './context.js';
import { liveRunOf } from './live.js';
import { HOOKS, mergeDeployedOutputs, type DeployedMerged } from './hooks.js';

export interface DeployedInput {
  /** The compile-time config values (literals and stack Outputs), METAFLOW_* key → value. */
  values: Record<string, string>;
  /** The deployed stack's Outputs. */
  stackOutputs: Readonly<Record<string, string>>;
  /** The run's AWS access; asked for once, when the first plugin with a deployed hook runs. */
  aws: () => Promise<AwsAccess>;
  signal?: AbortSignal;
}

const DEPLOYED_HOOKS = HOOKS.filter((h) => h.phase === 'deployed').map((h) => h.name);

/** Run every plugin's deployed hooks; returns the config values with theirs added, and which are secret. */
export async function runDeployedHooks(compiled: CompileResult, input: DeployedInput): Promise<DeployedMerged> {
  const merged: DeployedMerged = { values: { ...input.values }, secretKeys: new Set(), owners: new Map() };
  const runtime = liveRunOf(compiled);
  if (!runtime) return merged;
  const { plugins, deps, models } = runtime;
  const signal = input.signal ?? new AbortController().signal;
  const diagnostics: Diagnostic[] = [];
  const compileTimeOwner = (key: string) => compiled.configOutputs.find((c) => c.key === key)?.plugin;
  let aws: AwsAccess | undefined;
  for (const lp of plugins) {
    for (const name of DEPLOYED_HOOKS) {
      const hook = lp.plugin[name];
      if (!hook) continue;
      const access = (aws ??= await input.aws());
      const missing = (message: string, hint?: string): never => {
        throw fail.OUTPUT_MISSING(message, {
          hint: hint ?? 'the deployed stack is older than the manifest: run `mfinfra apply` first, or check the stack name and region',
        });
      };
      const ctx: DeployedContext = {
        ...createPluginContext(lp, { ...deps, diagnostics }, { hook: name }),
        stackOutputs: input.stackOutputs,
        stackOutput(outputName, what) {
          const v = input.stackOutputs[outputName];
          if (v === undefined || v === '')
            missing(`stack ${compiled.stackName} has no output ${outputName} (${what}, from ${lp.plugin.name})`);
          return v!;
        },
        missing,
        aws: access,
        async awsCall<T>(what: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
          try {
            return await send(signal);
          } catch (e) {
            // Credentials, access, network and throttling failures read the same as in deploy.
            const { toDeployError } = await import('../deploy/awsErrors.js');
            throw toDeployError(e, what);
          }
        },
        signal,
      };
      const value: unknown = await runHook(lp, name, () =>
        hook.call(lp.plugin, ctx, deps.manifest[lp.plugin.key], models.get(lp.plugin.key)),
      );
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        const what = value === undefined ? 'undefined' : value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
        diagnostics.push({
          code: ErrorCode.PLUGIN_INVALID,
          severity: 'error',
          message: `plugin ${lp.plugin.name}'s ${name} hook returned ${what}`,
          plugin: lp.plugin.name,
          hook: name,
          hint: `return an object of METAFLOW_* key → { value, secret? } ({} for none); this is a bug in the plugin (loaded from ${lp.source})`,
        });
        continue;
      }
      for (const p of mergeDeployedOutputs(merged, lp, value as Record<string, DeployedOutput>, compileTimeOwner)) {
        diagnostics.push({ code: p.code, message: p.message, severity: 'error', plugin: lp.plugin.name, hook: name, hint: p.hint });
      }
    }
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    // Not a manifest problem: the deployment and the plugins disagree (exit 1, not 3).
    const first = errors[0]!;
    const one = errors.length === 1;
    throw problemsError('runtime', one ? first.code : ErrorCode.PLUGIN_INVALID, errors.map((d) => d.message).join('; '), {
      plugin: one ? first.plugin : undefined,
      hook: one ? first.hook : undefined,
      hint: first.hint,
      diagnostics: errors,
    });
  }
  return merged;
}
