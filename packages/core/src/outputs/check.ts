import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, MfinfraError, type Diagnostic } from '../errors.js';
import { formatPath, type ManifestSource } from '../load/source.js';
import { isInside, resolveDestination, sameFile, type DestinationRules } from './destinations.js';
import { metaflowConfigFileName, metaflowHome, recordPathFor } from './metaflowConfig.js';
import type { OutputsSection } from './schema.js';

/** One file the `outputs:` section will write, with where the manifest names it. */
export interface PlannedDestination {
  /** What errors call it: `outputs.envFile`. */
  what: string;
  /** Path in the manifest of the value naming it (for the position), or undefined for the default config file. */
  at?: (string | number)[];
  file: string;
}

/**
 * Check the `outputs:` section before anything happens (validate, compile, plan, apply): every
 * destination stays inside the manifest's folder (or the Metaflow home) unless given as an absolute
 * path; none is the manifest, a template source, the local state or another output's sidecar; no
 * two outputs write one file; every user template exists and is a readable regular file. Each
 * problem is a diagnostic at the manifest value that causes it.
 */
export async function checkOutputs(
  source: ManifestSource,
  section: OutputsSection | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const diag = (at: (string | number)[] | undefined, message: string, hint: string, code: string = ErrorCode.OUTPUT_UNWRITABLE) => {
    const loc = source.locate(at ?? ['outputs']);
    out.push({ code, severity: 'error', message, path: formatPath(at ?? ['outputs']), loc, frame: source.frame(loc), hint });
  };
  const s = section ?? {};
  const home = metaflowHome(env);
  const rules: DestinationRules = { baseDir: source.dir, allowedRoots: [home], env };
  const planned: PlannedDestination[] = [];
  const resolve = async (raw: string, what: string, at: (string | number)[]) => {
    try {
      planned.push({ what, at, file: await resolveDestination(raw, what, rules) });
    } catch (e) {
      if (!MfinfraError.is(e)) throw e;
      diag(at, e.message, e.hint ?? 'choose another path');
    }
  };

  if (s.metaflowConfig?.enabled !== false) {
    const mc = s.metaflowConfig ?? {};
    if (mc.path) await resolve(mc.path, 'outputs.metaflowConfig.path', ['outputs', 'metaflowConfig', 'path']);
    else planned.push({ what: 'the Metaflow config', file: path.join(home, metaflowConfigFileName(mc.profile)) });
  }
  if (s.envFile !== undefined) {
    const at = typeof s.envFile === 'string' ? ['outputs', 'envFile'] : ['outputs', 'envFile', 'path'];
    await resolve(typeof s.envFile === 'string' ? s.envFile : s.envFile.path, 'outputs.envFile', at);
  }
  const templates: { file: string; what: string }[] = [];
  for (const [i, f] of (s.files ?? []).entries()) {
    const at = ['outputs', 'files', i, 'template'];
    const file = path.resolve(source.dir, f.template);
    templates.push({ file, what: `the template source ${f.template}` });
    const info = await stat(file).catch((e: NodeJS.ErrnoException) => e);
    if (info instanceof Error) {
      const why = info.code === 'ENOENT' ? 'it does not exist' : info.code === 'ELOOP' ? 'it is a symlink loop' : info.message;
      diag(
        at,
        `template ${f.template} cannot be read: ${why}`,
        `template paths are relative to the manifest folder ${source.dir}`,
        ErrorCode.FILE_UNREADABLE,
      );
    } else if (!info.isFile()) {
      diag(at, `template ${f.template} is not a regular file`, 'give the path of a handlebars template file', ErrorCode.FILE_UNREADABLE);
    } else if (
      await access(file, constants.R_OK).then(
        () => false,
        () => true,
      )
    ) {
      diag(at, `template ${f.template} is not readable`, 'fix its permissions', ErrorCode.FILE_UNREADABLE);
    }
    await resolve(f.path, `outputs.files[${i}].path`, ['outputs', 'files', i, 'path']);
  }

  // Files no output may write: the manifest, the template sources, the local state, sidecars.
  const guarded = [{ file: source.file, what: 'the manifest' }, ...templates];
  const stateDir = path.join(source.dir, '.mfinfra');
  for (const p of planned) {
    guarded.push({ file: recordPathFor(p.file), what: `the record mfinfra keeps beside ${p.file}` });
    guarded.push({ file: `${p.file}.bak`, what: `the backup of ${p.file}` });
  }
  const seen: PlannedDestination[] = [];
  for (const p of planned) {
    let refused = false;
    if (await isInside(p.file, stateDir)) {
      diag(p.at, `${p.what} would write into mfinfra's local state folder (${p.file})`, 'choose a path outside .mfinfra/');
      continue;
    }
    for (const g of guarded) {
      if (await sameFile(p.file, g.file)) {
        diag(
          p.at,
          `${p.what} would overwrite ${g.what} (${p.file})`,
          'choose another file name: mfinfra never writes the manifest or a file it was not told to write',
        );
        refused = true;
        break;
      }
    }
    if (refused) continue;
    for (const other of seen) {
      if (await sameFile(p.file, other.file)) {
        diag(p.at, `${p.what} and ${other.what} write the same file ${p.file}`, 'give each output its own path');
        refused = true;
        break;
      }
    }
    if (!refused) seen.push(p);
  }
  return out;
}
