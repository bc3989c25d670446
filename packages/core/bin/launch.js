// The mfinfra launcher (bin/mfinfra.js runs it; so does the unscoped `mfinfra` package's bin). It loads the bundled CLI (dist-cli/mfinfra.cjs) with V8's code cache: the
// first run compiles the bundle and saves the compiled code under ~/.cache/mfinfra/code (or
// $MFINFRA_CACHE_DIR, $XDG_CACHE_HOME/mfinfra); later runs skip most of the compiling. A cache that
// is missing, stale or unwritable only costs time. MFINFRA_NO_CACHE=1 turns it off; --debug loads
// the bundle plainly so stack traces map back to the TypeScript sources.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist-cli/mfinfra.cjs', import.meta.url));
const require = createRequire(bundle);
// Node's own import(), for loading plugins that are ES modules (see src/load/loadPlugins.ts).
globalThis.__mfinfraImport = (specifier) => import(specifier);

function cacheFile() {
  const env = process.env;
  const base = env.MFINFRA_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'mfinfra');
  const { size, mtimeMs } = statSync(bundle);
  const key = createHash('sha256').update(`${bundle}|${size}|${mtimeMs}|${process.version}|${process.arch}`).digest('hex').slice(0, 32);
  return path.join(base, 'code', `${key}.bin`);
}

function loadWithCodeCache() {
  const cache = cacheFile();
  let cachedData;
  try {
    cachedData = readFileSync(cache);
  } catch {
    // first run: compile and save below
  }
  const script = new vm.Script(Module.wrap(readFileSync(bundle, 'utf8')), {
    filename: bundle,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, bundle, path.dirname(bundle));
  const save = cachedData === undefined || script.cachedDataRejected === true;
  return {
    cli: module.exports,
    // Called after the command ran, so the cache also holds the functions it compiled lazily.
    saveCache() {
      if (!save) return;
      try {
        mkdirSync(path.dirname(cache), { recursive: true });
        const tmp = `${cache}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cache);
      } catch {
        // the cache is an optimisation only
      }
    },
  };
}

/** name, version and folder of the package whose bin started the run (see src/load/resolve.ts). */
function describePackage(dir) {
  try {
    const real = realpathSync(dir);
    const pkg = JSON.parse(readFileSync(path.join(real, 'package.json'), 'utf8'));
    return { name: pkg.name, version: pkg.version, dir: real };
  } catch {
    return undefined;
  }
}

/**
 * The `mfinfra` package this core belongs to, if one is installed around it: the `mfinfra` command
 * may be linked to either package's bin (npm links one when both are installed at the top level),
 * and both must behave the same.
 */
function findMfinfraPackage() {
  const coreDir = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
  for (let dir = coreDir; ;) {
    const candidate = path.join(dir, 'node_modules', 'mfinfra');
    const pkg = describePackage(candidate);
    if (pkg) {
      try {
        const deps = JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')).dependencies ?? {};
        if ('@mfinfra/core' in deps) return pkg.dir;
      } catch {
        // not ours
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Run the CLI with process.argv and set process.exitCode. `cliPackageDir` is the folder of the
 * package that provides the `mfinfra` command, when that is not @mfinfra/core itself: plugins not
 * installed beside the manifest resolve from its dependencies.
 */
export async function launch({ cliPackageDir = findMfinfraPackage() } = {}) {
  let loaded;
  if (process.argv.includes('--debug')) {
    process.setSourceMapsEnabled(true);
  } else if (process.env.MFINFRA_NO_CACHE !== '1') {
    try {
      loaded = loadWithCodeCache();
    } catch {
      loaded = undefined;
    }
  }
  const cli = loaded?.cli ?? require(bundle);
  const cliPackage = cliPackageDir ? describePackage(cliPackageDir) : undefined;
  process.exitCode = await cli.main(process.argv.slice(2), undefined, { cliPackage });
  loaded?.saveCache();
}
