/**
 * Every environment at once: `validate` and `compile` check each environment of a manifest (or the one
 * manifest when it declares none), a bounded number at a time, and report all problems of all of them
 * in one error, each once (a problem of the base shows once, not once per environment).
 */
import { compileProject, type CompileOptions, type CompileResult } from '../compile/compile.js';
import { ExitCode, MfinfraError, problemsError, type Diagnostic } from '../errors.js';
import { loadProjectFrom, readProjectSource, throwIfErrors, type ManifestSource } from '../load/index.js';
import { checkDistinctTargets, declaredEnvironments, selectEnvironment } from './overlay.js';

/** How many environments are worked on at once by default. */
export const ENVIRONMENT_CONCURRENCY = 4;

/** `fn` over `items` with at most `limit` running at once; results in the order of `items`. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** The environments of a parsed manifest, or `[undefined]` (the manifest itself) when it declares none. */
export function environmentsOf(source: ManifestSource): (string | undefined)[] {
  const names = declaredEnvironments(source.data);
  return names && names.length ? names : [undefined];
}

/**
 * The environments of a manifest (found as every command finds it: `manifest`, else from `cwd`
 * upward), or `[undefined]` (the manifest itself) when it declares none. Reads; loads no plugin.
 */
export async function manifestEnvironments(
  options: Pick<CompileOptions, 'manifest' | 'cwd' | 'text'> = {},
): Promise<(string | undefined)[]> {
  return environmentsOf(await readProjectSource(options));
}

/** Compile every environment (or the manifest itself). Throws one error carrying every problem. */
export async function compileEnvironments(
  options: CompileOptions & { concurrency?: number } = {},
): Promise<{ source: ManifestSource; results: CompileResult[] }> {
  const source = await readProjectSource(options);
  const envs = environmentsOf(source);
  const outcomes = await mapWithLimit(envs, options.concurrency ?? ENVIRONMENT_CONCURRENCY, async (env) => {
    try {
      const project = await loadProjectFrom(source, { ...options, env });
      return { result: await compileProject(project, { format: options.format }) };
    } catch (error) {
      return { error };
    }
  });
  const failed = outcomes.flatMap((o, i) => ('error' in o ? [{ env: envs[i], error: o.error }] : []));
  // Environments that would deploy over one another's stack (each one alone is fine).
  const names = envs.filter((e): e is string => e !== undefined);
  const clashes = names.length > 1 ? checkDistinctTargets(names.map((n) => selectEnvironment(source, n))) : [];
  if (clashes.length) {
    const error = problemsError('invalid', clashes[0]!.code, clashes[0]!.message, { diagnostics: clashes });
    failed.push(...names.map((env) => ({ env, error })));
  }
  if (failed.length === 0) return { source, results: outcomes.map((o) => (o as { result: CompileResult }).result) };
  // Something other than an invalid manifest (a file that cannot be read, a bug): as it is.
  const other = failed.find((f) => !MfinfraError.is(f.error) || f.error.exitCode !== ExitCode.INVALID);
  if (other || envs.length === 1) throw (other ?? failed[0]!).error;
  throw combineProblems(
    source,
    envs.length,
    failed.map((f) => ({ env: f.env!, error: f.error as MfinfraError })),
  );
}

/**
 * One error from the errors of several environments: each problem once; a problem that not every
 * environment has says which environments have it.
 */
export function combineProblems(source: { file: string }, total: number, failed: { env: string; error: MfinfraError }[]): MfinfraError {
  const seen = new Map<string, { d: Diagnostic; envs: string[] }>();
  const warnings = new Map<string, Diagnostic>();
  const keyOf = (d: Diagnostic) => JSON.stringify([d.code, d.message, d.loc?.file, d.loc?.line, d.loc?.column, d.plugin]);
  for (const { env, error } of failed) {
    const diagnostics: Diagnostic[] = error.diagnostics.length
      ? error.diagnostics
      : [
          {
            code: error.code,
            severity: 'error',
            message: error.message,
            ...(error.loc ? { loc: error.loc } : {}),
            ...(error.frame ? { frame: error.frame } : {}),
            ...(error.hint ? { hint: error.hint } : {}),
            ...(error.path ? { path: error.path } : {}),
            ...(error.plugin ? { plugin: error.plugin } : {}),
            ...(error.hook ? { hook: error.hook } : {}),
          },
        ];
    for (const d of diagnostics) {
      const key = keyOf(d);
      const entry = seen.get(key);
      if (entry) entry.envs.push(env);
      else seen.set(key, { d, envs: [env] });
    }
    for (const w of error.warnings) warnings.set(keyOf(w), w);
  }
  const errors = [...seen.values()].map(({ d, envs }) =>
    envs.length === total ? d : { ...d, message: `${d.message} (environment${envs.length === 1 ? '' : 's'} ${envs.join(', ')})` },
  );
  try {
    throwIfErrors(source, [...errors, ...warnings.values()]);
  } catch (e) {
    return e as MfinfraError;
  }
  /* c8 ignore next: there is at least one error */
  return failed[0]!.error;
}
