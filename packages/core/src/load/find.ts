import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fail } from '../errors.js';

/** File names searched, in order, in each folder from the working directory upward. */
export const MANIFEST_FILE_NAMES = ['metaflow.infra.yaml', 'metaflow.infra.yml', '.mfinfrarc.yaml', '.mfinfrarc.yml'] as const;

/**
 * Find the manifest: an explicit path (a file, or a folder holding one of {@link MANIFEST_FILE_NAMES}),
 * or a cosmiconfig search from `cwd` upward to the file system root.
 */
export async function findManifest(explicit: string | undefined, cwd: string = process.cwd()): Promise<string> {
  if (explicit !== undefined) {
    const full = path.resolve(cwd, explicit);
    let failure: NodeJS.ErrnoException | undefined;
    const info = await stat(full).catch((e: NodeJS.ErrnoException) => {
      failure = e;
      return undefined;
    });
    if (failure?.code === 'ELOOP') {
      throw fail.FILE_UNREADABLE(`cannot read manifest ${explicit}: it is a symlink loop`, {
        hint: 'a link on this path points (through other links) back at itself; point it at the manifest file',
      });
    }
    if (failure && failure.code !== 'ENOENT' && failure.code !== 'ENOTDIR') {
      throw fail.FILE_UNREADABLE(`cannot read manifest ${explicit}: ${failure.message}`, {
        hint: 'check the path and its permissions',
      });
    }
    if (!info) {
      throw fail.CONFIG_NOT_FOUND(`manifest not found: ${explicit}`, {
        hint: 'check the path, or run `mfinfra init` to write a starter metaflow.infra.yaml',
      });
    }
    if (!info.isDirectory()) return full;
    for (const name of MANIFEST_FILE_NAMES) {
      const candidate = path.join(full, name);
      if (
        await stat(candidate).then(
          (s) => s.isFile(),
          () => false,
        )
      )
        return candidate;
    }
    throw fail.CONFIG_NOT_FOUND(`no manifest in folder ${explicit}`, {
      hint: `expected one of ${MANIFEST_FILE_NAMES.join(', ')} in that folder`,
    });
  }
  // cosmiconfig only locates the file; mfinfra parses it itself with `yaml` to keep positions.
  const mod = (await import('cosmiconfig')) as typeof import('cosmiconfig') & { default?: typeof import('cosmiconfig') };
  const cosmiconfig = mod.cosmiconfig ?? mod.default!.cosmiconfig; // CJS interop when bundled
  const locateOnly = () => ({ located: true });
  const explorer = cosmiconfig('mfinfra', {
    searchPlaces: [...MANIFEST_FILE_NAMES],
    searchStrategy: 'global',
    stopDir: path.parse(path.resolve(cwd)).root,
    loaders: { '.yaml': locateOnly, '.yml': locateOnly },
    cache: false,
  });
  const found = await explorer.search(cwd);
  if (!found) {
    throw fail.CONFIG_NOT_FOUND(`no metaflow.infra.yaml found in ${cwd} or any folder above it`, {
      hint: 'pass the manifest path (`mfinfra validate path/to/metaflow.infra.yaml`) or run `mfinfra init`',
    });
  }
  return found.filepath;
}
