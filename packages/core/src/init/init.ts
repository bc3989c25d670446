/**
 * `mfinfra init`: write a starter manifest and the JSON Schema editors complete it with. Returns
 * what it wrote and never prints; refuses to overwrite an existing manifest.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fail } from '../errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import {
  didYouMean,
  FIRST_PARTY_PLUGINS,
  getCliPackage,
  isLocalSpec,
  loadEditorSchema,
  MANIFEST_FILE_NAMES,
  parseManifest,
  resolvePluginSpec,
  stackSchema,
  type LoadedPlugin,
} from '../load/index.js';
import type { JsonSchema } from '../plugin.js';
import { VERSION } from '../version.js';
import { renderStarterManifest } from './render.js';
import { FIRST_PARTY_ORDER } from './firstParty.js';

export const INIT_MANIFEST_NAME = 'metaflow.infra.yaml';
export const INIT_SCHEMA_NAME = 'metaflow.infra.schema.json';

export interface InitOptions {
  /** Folder to write into (created if missing). Default: the working directory. */
  dir?: string;
  cwd?: string;
  stackName: string;
  region?: string;
  /** `plugins:` entries: first-party short names, package names or relative paths. */
  plugins: readonly string[];
}

export interface InitResult {
  manifestFile: string;
  schemaFile: string;
  stackName: string;
  region?: string;
  /** The plugins listed in the manifest, in order. */
  plugins: string[];
  /** First-party plugins added because a chosen plugin requires them (or its starter section does: `starterRequires`). */
  added: { plugin: string; neededBy: string }[];
  /** Plugins that could not be loaded from the folder; their sections are not in the schema file. */
  missing: { plugin: string; packageName?: string }[];
  /**
   * The package.json: written (pinning mfinfra) when the folder and the folders above it up to the
   * repository root have none; else the one found, and whether it already lists mfinfra.
   */
  packageJson: { file: string; written: boolean; listsMfinfra: boolean };
  /** The .gitignore in the folder and the lines init added to it (none when they were there). */
  gitignore: { file: string; added: string[] };
  text: string;
}

/**
 * What must not be committed, as .gitignore lines. `.mfinfra/` holds local state: the template last
 * applied from this machine (`.mfinfra/state/<stack>.json`, for `plan --offline`). It is not meant
 * to be committed: the deployed stack is the source of truth (`mfinfra plan` compares with it), a
 * committed copy goes stale as soon as someone else applies, and two people's copies conflict.
 */
export const GITIGNORE_LINES = ['.mfinfra/', 'node_modules/'] as const;

const STACK_NAME = new RegExp((stackSchema.properties as Record<string, { pattern: string }>).name!.pattern);
const REGIONS: ReadonlySet<string> = new Set((stackSchema.properties as Record<string, { enum: string[] }>).region!.enum);

/** Problems with a stack name or region, as a sentence, or undefined when valid. */
export function checkStackName(name: string): string | undefined {
  return STACK_NAME.test(name)
    ? undefined
    : `"${name}" is not a valid stack name: use letters, digits and hyphens, starting with a letter (at most 128)`;
}
export function checkRegion(region: string): string | undefined {
  return REGIONS.has(region) ? undefined : `"${region}" is not an AWS region name such as us-west-2`;
}

/** Split `--plugins a,b c` into entries, dropping blanks and repeats. */
export function parsePluginList(value: string | readonly string[]): string[] {
  const parts = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  return [...new Set(parts)];
}

/** First-party plugins in their canonical order, then the others as given. */
function orderSpecs(specs: readonly string[]): string[] {
  const firstParty = FIRST_PARTY_ORDER.filter((p) => specs.includes(p));
  return [...firstParty, ...specs.filter((s) => !(FIRST_PARTY_ORDER as readonly string[]).includes(s))];
}

async function existingManifest(dir: string): Promise<string | undefined> {
  for (const name of MANIFEST_FILE_NAMES) {
    const file = path.join(dir, name);
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  return undefined;
}

/**
 * Throw MANIFEST_EXISTS when the folder already holds a manifest under any searched name. Exit 2
 * (usage): nothing is wrong with the manifest; init was asked to write where one exists.
 */
export async function assertNoManifest(dir: string): Promise<void> {
  const existing = await existingManifest(dir);
  if (existing) {
    throw fail.MANIFEST_EXISTS(`${existing} already exists; mfinfra init does not overwrite a manifest`, {
      hint: 'edit it, run init in another folder (mfinfra init <dir>), or move the file away first',
    });
  }
}

/**
 * The first problem with the plugin names, as a sentence, or undefined: a name that is neither a
 * first-party short name, an installed package nor an existing path. A near miss of a first-party
 * name gets "did you mean"; an unknown package is never suggested for installing.
 */
export function checkPluginNames(specs: readonly string[], dir: string): string | undefined {
  for (const spec of specs) {
    if (FIRST_PARTY_PLUGINS[spec]) continue;
    if (resolvePluginSpec(spec, dir)) continue;
    if (isLocalSpec(spec)) return `plugin file not found: ${spec} (paths are relative to ${dir})`;
    const suggestion = didYouMean(spec, Object.keys(FIRST_PARTY_PLUGINS));
    if (suggestion) return `unknown plugin "${spec}": did you mean ${suggestion}?`;
    return (
      `plugin "${spec}" is neither a first-party plugin (${Object.keys(FIRST_PARTY_PLUGINS).join(', ')}) nor installed in ${dir}; ` +
      'install a third-party plugin there yourself once you have checked its name and publisher, then run init again'
    );
  }
  return undefined;
}

/** The nearest package.json from `dir` up to the repository root (a folder with .git) or the file system root. */
async function findPackageJson(dir: string): Promise<string | undefined> {
  for (let at = dir; ;) {
    const file = path.join(at, 'package.json');
    if (await exists(file)) return file;
    if (await exists(path.join(at, '.git'))) return undefined;
    const parent = path.dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** A package.json for a new project: private, mfinfra pinned to the version running init. */
export function starterPackageJson(dir: string, mfinfraVersion: string): string {
  const name =
    path
      .basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|-+$/g, '') || 'metaflow-infra';
  const pkg = {
    name,
    private: true,
    description: 'Metaflow infrastructure, deployed with mfinfra (metaflow.infra.yaml)',
    scripts: { validate: 'mfinfra validate', plan: 'mfinfra plan', apply: 'mfinfra apply' },
    devDependencies: { mfinfra: mfinfraVersion },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

function listsMfinfra(text: string): boolean {
  try {
    const pkg = JSON.parse(text) as { dependencies?: object; devDependencies?: object };
    return Object.hasOwn(pkg.dependencies ?? {}, 'mfinfra') || Object.hasOwn(pkg.devDependencies ?? {}, 'mfinfra');
  } catch {
    return false;
  }
}

export async function initProject(options: InitOptions): Promise<InitResult> {
  const dir = path.resolve(options.cwd ?? process.cwd(), options.dir ?? '.');
  const manifestFile = path.join(dir, INIT_MANIFEST_NAME);
  const schemaFile = path.join(dir, INIT_SCHEMA_NAME);
  await assertNoManifest(dir);
  const usage = (message: string, hint: string) => fail.USAGE(message, { hint });
  const nameProblem = checkStackName(options.stackName);
  if (nameProblem) throw usage(nameProblem, 'e.g. --stack-name metaflow-prod');
  const regionProblem = options.region === undefined ? undefined : checkRegion(options.region);
  if (regionProblem) throw usage(regionProblem, 'e.g. --region us-west-2');
  if (options.plugins.length === 0) {
    throw usage('choose at least one plugin', `e.g. --plugins ${FIRST_PARTY_ORDER.join(',')}`);
  }

  const pluginProblem = checkPluginNames(options.plugins, dir);
  if (pluginProblem) throw usage(pluginProblem, `first-party plugins: ${FIRST_PARTY_ORDER.join(', ')}`);

  // Load the chosen plugins from the folder (as validate will) to learn their keys and needs.
  const source = parseManifest('{}', manifestFile);
  let specs = orderSpecs(options.plugins);
  const added: InitResult['added'] = [];
  let loaded: LoadedPlugin[];
  let schema: JsonSchema;
  for (;;) {
    ({ plugins: loaded, schema } = await loadEditorSchema(specs, source));
    const keys = new Set([...loaded.map((lp) => lp.plugin.key), ...specs]);
    // A starter section creates what its plugin owns, which may need a plugin it only `uses`
    // (batch's compute runs in network): the plugin says so in starterRequires, and init adds those
    // as it adds what a plugin requires. Core names no plugin here.
    const needed = loaded.flatMap((lp) =>
      [...(lp.plugin.requires ?? []), ...(lp.plugin.starterRequires ?? [])]
        .filter((k) => !keys.has(k) && FIRST_PARTY_PLUGINS[k])
        .map((k) => ({ plugin: k, neededBy: lp.spec })),
    );
    const fresh = needed.filter((n, i) => needed.findIndex((m) => m.plugin === n.plugin) === i);
    if (fresh.length === 0) break;
    added.push(...fresh);
    specs = orderSpecs([...specs, ...fresh.map((n) => n.plugin)]);
  }
  // A requirement no listed plugin and no first-party plugin meets: the project could never validate.
  const keys = new Set([...loaded.map((lp) => lp.plugin.key), ...specs]);
  const unmet = loaded.flatMap((lp) => (lp.plugin.requires ?? []).filter((k) => !keys.has(k)).map((k) => `${lp.spec} requires "${k}"`));
  if (unmet.length) {
    throw usage(
      `unmet plugin requirements: ${unmet.join('; ')}, and no listed or first-party plugin owns that section`,
      'add the plugin that owns it to --plugins (installed beside the manifest), or leave out the plugin that needs it',
    );
  }
  const loadedSpecs = new Set(loaded.map((lp) => lp.spec));
  const missing = specs
    .filter((s) => !loadedSpecs.has(s))
    .map((s) => ({ plugin: s, packageName: isLocalSpec(s) ? undefined : (FIRST_PARTY_PLUGINS[s] ?? s) }));

  const text = renderStarterManifest({
    stackName: options.stackName,
    region: options.region,
    plugins: specs,
    schemaPath: `./${INIT_SCHEMA_NAME}`,
    sections: specs.map((spec) => {
      const lp = loaded.find((l) => l.spec === spec);
      if (lp) return { spec, key: lp.plugin.key, starter: lp.plugin.starter, optional: Boolean(lp.plugin.optionalSection) };
      return { spec, missing: true, key: FIRST_PARTY_PLUGINS[spec] ? spec : undefined };
    }),
  });

  const existingPackageJson = await findPackageJson(dir);
  const mfinfraVersion = getCliPackage()?.version ?? VERSION;
  const packageJson = existingPackageJson
    ? { file: existingPackageJson, written: false, listsMfinfra: listsMfinfra(await readFile(existingPackageJson, 'utf8')) }
    : { file: path.join(dir, 'package.json'), written: true, listsMfinfra: true };
  const gitignoreFile = path.join(dir, '.gitignore');
  const gitignoreText = await readFile(gitignoreFile, 'utf8').catch(() => '');
  const present = new Set(gitignoreText.split(/\r?\n/).map((l) => l.trim().replace(/^\//, '')));
  const gitignoreAdded = GITIGNORE_LINES.filter((l) => !present.has(l) && !present.has(l.replace(/\/$/, '')));

  // The manifest last: if anything fails before it, init can simply run again.
  await writeFileAtomic(schemaFile, JSON.stringify(schema, null, 2) + '\n', { createDirs: true });
  if (packageJson.written) await writeFileAtomic(packageJson.file, starterPackageJson(dir, mfinfraVersion));
  if (gitignoreAdded.length) {
    const lead = gitignoreText === '' ? '' : gitignoreText.endsWith('\n') ? '\n' : '\n\n';
    await writeFileAtomic(
      gitignoreFile,
      `${gitignoreText}${lead}# mfinfra: local state (the template last applied from this machine) and installed packages\n${gitignoreAdded.join('\n')}\n`,
    );
  }
  if (await existingManifest(dir)) {
    throw fail.MANIFEST_EXISTS(`${manifestFile} appeared while init ran; it was left untouched`, {});
  }
  await writeFileAtomic(manifestFile, text);
  return {
    manifestFile,
    schemaFile,
    stackName: options.stackName,
    region: options.region,
    plugins: specs,
    added,
    missing,
    packageJson,
    gitignore: { file: gitignoreFile, added: [...gitignoreAdded] },
    text,
  };
}
