/**
 * Which manifest a command works on: the file as it is (no `environments:`), or one environment's
 * merged manifest (`--env NAME`). A manifest that declares environments is never deployed as its bare
 * base: a command that needs one environment refuses without `--env`, listing the names.
 */
import path from 'node:path';
import { fail, type MfinfraError, type Diagnostic } from '../errors.js';
import type { ManifestSource } from '../load/source.js';
import { didYouMean } from '../load/didYouMean.js';
import { checkEnvironmentsSection, declaredEnvironments, ENVIRONMENTS_KEY, selectEnvironment } from './overlay.js';

export interface SelectedSource {
  /** The manifest to load: the file's own, or the environment's merged view of it. */
  source: ManifestSource;
  environment?: { name: string; names: string[] };
  /** Problems of the `environments:` section and of the selected overlay (reported with the rest). */
  problems: Diagnostic[];
}

/** `metaflow.infra.yaml declares environments dev, prod` — for refusals and hints. */
export function listNames(names: readonly string[]): string {
  return names.join(', ');
}

/** Select environment `env` (or none) from a parsed manifest file. Throws a usage error for a wrong --env. */
export function selectFromSource(source: ManifestSource, env: string | undefined): SelectedSource {
  const names = declaredEnvironments(source.data);
  if (names === undefined) {
    if (env === undefined) return { source, problems: [] };
    throw fail.ENVIRONMENT_UNKNOWN(`--env ${env}: ${path.basename(source.file)} declares no environments`, {
      hint: 'leave --env out, or declare the environment under environments: in the manifest (see the README, "Environments")',
    });
  }
  const section = checkEnvironmentsSection(source);
  if (env === undefined) {
    // A broken section is reported with every other problem of the base (validated without it).
    if (section.length) return { source: withoutEnvironments(source), problems: section };
    throw environmentRequired(source.file, names);
  }
  if (!names.includes(env)) {
    const suggestion = didYouMean(env, names);
    throw fail.ENVIRONMENT_UNKNOWN(`--env ${env}: no such environment in ${path.basename(source.file)}`, {
      hint: `${suggestion ? `did you mean "${suggestion}"? ` : ''}the environments are ${listNames(names)}`,
    });
  }
  const selection = selectEnvironment(source, env);
  return { source: selection.source, environment: { name: env, names }, problems: [...section, ...selection.diagnostics] };
}

/** The refusal of a command that needs one environment when none was chosen. */
export function environmentRequired(file: string, names: readonly string[], what = 'this command works on one of them'): MfinfraError {
  return fail.ENVIRONMENT_REQUIRED(`${path.basename(file)} declares environments ${listNames(names)}: ${what}`, {
    hint: `pass --env NAME (${names.map((n) => `--env ${n}`).join(', ')})`,
  });
}

function withoutEnvironments(source: ManifestSource): ManifestSource {
  const data = { ...(source.data as Record<string, unknown>) };
  delete data[ENVIRONMENTS_KEY];
  return { ...source, data };
}
