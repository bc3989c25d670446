import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** First-party plugins by short name. Core knows their package names, never their code. */
// No prototype: `plugins: [toString]` (or constructor, __proto__, valueOf) must find nothing here.
export const FIRST_PARTY_PLUGINS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    access: '@mfinfra/plugin-access',
    batch: '@mfinfra/plugin-batch',
    datastore: '@mfinfra/plugin-datastore',
    metadata: '@mfinfra/plugin-metadata',
    network: '@mfinfra/plugin-network',
    notebook: '@mfinfra/plugin-notebook',
    scheduling: '@mfinfra/plugin-scheduling',
    ui: '@mfinfra/plugin-ui',
  }),
);

/**
 * What to tell someone whose plugin `spec` is not installed. Only packages mfinfra can vouch for
 * (its own) are ever named in an install command: an unknown name may be a typo of a first-party
 * short name (did you mean …?) or someone else's package, which mfinfra will not tell anyone to
 * install.
 */
export function notInstalledHint(spec: string, suggestion: string | undefined): string {
  const firstParty = FIRST_PARTY_PLUGINS[spec];
  if (firstParty) {
    const cli = cliPackage ? `${cliPackage.name} ${cliPackage.version}` : undefined;
    return cli
      ? `${firstParty} is neither beside the manifest nor among the running ${cli}'s dependencies; reinstall it: npm install -D mfinfra`
      : `install mfinfra (it brings every first-party plugin) beside the manifest: npm install -D mfinfra (or just ${firstParty})`;
  }
  const names = Object.keys(FIRST_PARTY_PLUGINS).join(', ');
  if (suggestion) return `did you mean "${suggestion}"? first-party short names are ${names}`;
  return `first-party short names are ${names}; a third-party plugin must be installed beside the manifest (check the package's name and publisher before you install it)`;
}

export type PluginSourceKind = 'first-party' | 'package' | 'local';

/**
 * Where a plugin was found, in the order mfinfra looks:
 * - `path`: a `./relative` (or absolute) path, relative to the manifest's folder;
 * - `manifest`: a package installed beside the manifest (its folder's node_modules, or a folder above);
 * - `cli`: not installed beside the manifest, so taken from the installed CLI's own dependencies
 *   (the `mfinfra` package depends on every first-party plugin).
 */
export type PluginResolvedFrom = 'path' | 'manifest' | 'cli';

/** The CLI package that started this run (the unscoped `mfinfra` package), if any. */
export interface CliPackage {
  name: string;
  version: string;
  /** Its folder (the one holding its package.json). */
  dir: string;
}

let cliPackage: CliPackage | undefined;

/**
 * Tell resolution which CLI package is running, so plugins it depends on are found when the manifest's
 * folder has none. The `mfinfra` launcher sets it; without it, core's own install is searched.
 */
export function setCliPackage(pkg: CliPackage | undefined): void {
  cliPackage = pkg;
}

export function getCliPackage(): CliPackage | undefined {
  return cliPackage;
}

export interface ResolvedPluginSpec {
  /** As written in the manifest. */
  spec: string;
  kind: PluginSourceKind;
  resolvedFrom: PluginResolvedFrom;
  /** Why this copy was used, as a phrase (shown by `mfinfra plugins`). */
  reason: string;
  /** npm package name (first-party or package kinds). */
  packageName?: string;
  /** Absolute path of the module file to import. */
  entry: string;
  /** Version from the package's package.json, when there is one. */
  packageVersion?: string;
}

export function isLocalSpec(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || path.isAbsolute(spec);
}

const LOCAL_EXTENSIONS = ['', '.ts', '.mts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];

/**
 * Resolve a manifest `plugins:` entry to a module file. Local paths resolve from the manifest's
 * folder. Packages (first-party short names map to `@mfinfra/plugin-<name>`) resolve:
 *  1. beside the manifest: from its folder upward, as Node resolves packages — a project's own
 *     pinned copy always wins;
 *  2. then from the installed CLI's own dependencies: the `mfinfra` package that is running (it
 *     depends on the first-party plugins; npx, global and project installs alike), then
 *     `@mfinfra/core`'s own install.
 * Returns undefined when nothing matches.
 */
export function resolvePluginSpec(spec: string, manifestDir: string): ResolvedPluginSpec | undefined {
  if (isLocalSpec(spec)) {
    const base = path.resolve(manifestDir, spec);
    for (const ext of LOCAL_EXTENSIONS) {
      const candidate = base + ext;
      if (existsSync(candidate) && !isDirectory(candidate))
        return { spec, kind: 'local', resolvedFrom: 'path', reason: "a path relative to the manifest's folder", entry: candidate };
    }
    return undefined;
  }
  const firstParty = FIRST_PARTY_PLUGINS[spec];
  const packageName = firstParty ?? spec;
  const selfDir = path.dirname(fileURLToPath(import.meta.url));
  const cli = cliPackage;
  const places: { from: string; resolvedFrom: PluginResolvedFrom; reason: (nodeModules: string) => string }[] = [
    { from: manifestDir, resolvedFrom: 'manifest', reason: (nodeModules) => `installed beside the manifest (in ${nodeModules})` },
    ...(cli
      ? [
          {
            from: cli.dir,
            resolvedFrom: 'cli' as const,
            reason: () => `not installed beside the manifest; a dependency of the running ${cli.name} ${cli.version}`,
          },
        ]
      : []),
    { from: selfDir, resolvedFrom: 'cli', reason: () => 'not installed beside the manifest; found beside the running @mfinfra/core' },
  ];
  for (const place of places) {
    const found = findPackageDir(packageName, place.from);
    if (!found) continue;
    const pkgDir = found.dir;
    const entry = packageEntry(pkgDir);
    if (!entry) continue;
    return {
      spec,
      kind: firstParty ? 'first-party' : 'package',
      resolvedFrom: place.resolvedFrom,
      reason: place.reason(found.nodeModules),
      packageName,
      entry,
      packageVersion: readJson(path.join(pkgDir, 'package.json'))?.version as string | undefined,
    };
  }
  return undefined;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The package's folder (symlinks followed) and the node_modules folder it was found in. */
function findPackageDir(name: string, from: string): { dir: string; nodeModules: string } | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(path.join(candidate, 'package.json')))
      return { dir: realpathSync(candidate), nodeModules: path.join(dir, 'node_modules') };
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The file `import(pkg)` would load: `exports["."]` (import/node/default), else `module`/`main`. */
function packageEntry(pkgDir: string): string | undefined {
  const pkg = readJson(path.join(pkgDir, 'package.json'));
  if (!pkg) return undefined;
  const pick = (target: unknown): string | undefined => {
    if (typeof target === 'string') return target;
    if (Array.isArray(target)) {
      for (const t of target) {
        const r = pick(t);
        if (r) return r;
      }
      return undefined;
    }
    if (target && typeof target === 'object') {
      const conditions = target as Record<string, unknown>;
      for (const c of ['import', 'node', 'default']) {
        if (c in conditions) {
          const r = pick(conditions[c]);
          if (r) return r;
        }
      }
    }
    return undefined;
  };
  let rel: string | undefined;
  const exp = pkg.exports;
  if (exp !== undefined) {
    const dot =
      typeof exp === 'object' && exp !== null && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'))
        ? (exp as Record<string, unknown>)['.']
        : exp;
    rel = pick(dot);
  }
  rel ??= (pkg.module as string | undefined) ?? (pkg.main as string | undefined) ?? 'index.js';
  const entry = path.resolve(pkgDir, rel);
  return existsSync(entry) ? entry : undefined;
}
