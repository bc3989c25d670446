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

export type PluginSourceKind = 'first-party' | 'package' | 'local';

export interface ResolvedPluginSpec {
  /** As written in the manifest. */
  spec: string;
  kind: PluginSourceKind;
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
 * folder; packages resolve from the manifest's folder upward, then from mfinfra's own install
 * (so plugins installed beside a global mfinfra work). Returns undefined when nothing matches.
 */
export function resolvePluginSpec(spec: string, manifestDir: string): ResolvedPluginSpec | undefined {
  if (isLocalSpec(spec)) {
    const base = path.resolve(manifestDir, spec);
    for (const ext of LOCAL_EXTENSIONS) {
      const candidate = base + ext;
      if (existsSync(candidate) && !isDirectory(candidate)) return { spec, kind: 'local', entry: candidate };
    }
    return undefined;
  }
  const firstParty = FIRST_PARTY_PLUGINS[spec];
  const packageName = firstParty ?? spec;
  const selfDir = path.dirname(fileURLToPath(import.meta.url));
  for (const from of [manifestDir, selfDir]) {
    const pkgDir = findPackageDir(packageName, from);
    if (!pkgDir) continue;
    const entry = packageEntry(pkgDir);
    if (!entry) continue;
    return {
      spec,
      kind: firstParty ? 'first-party' : 'package',
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

function findPackageDir(name: string, from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
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
