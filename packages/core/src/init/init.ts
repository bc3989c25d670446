/**
 * `mfinfra init`: write a starter manifest and the JSON Schema editors complete it with. Returns
 * what it wrote and never prints; refuses to overwrite an existing manifest.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, ExitCode, MfinfraError } from '../errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { MANIFEST_FILE_NAMES } from '../manifest/find.js';
import { parseManifest } from '../manifest/source.js';
import { loadPlugins, type LoadedPlugin } from '../plugins/load.js';
import { FIRST_PARTY_PLUGINS, isLocalSpec } from '../plugins/resolve.js';
import { assembleSchema } from '../schema/assemble.js';
import { stackSchema } from '../schema/rootSchema.js';
import { renderStarterManifest } from './render.js';
import { FIRST_PARTY_ORDER } from './sections.js';

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
  /** First-party plugins added because a chosen plugin requires them. */
  added: { plugin: string; neededBy: string }[];
  /** Plugins that could not be loaded from the folder; their sections are not in the schema file. */
  missing: { plugin: string; packageName?: string }[];
  text: string;
}

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

/** Throw MANIFEST_EXISTS (exit 3) when the folder already holds a manifest under any searched name. */
export async function assertNoManifest(dir: string): Promise<void> {
  const existing = await existingManifest(dir);
  if (existing) {
    throw new MfinfraError(ErrorCode.MANIFEST_EXISTS, `${existing} already exists; mfinfra init does not overwrite a manifest`, {
      hint: 'edit it, run init in another folder (mfinfra init <dir>), or move the file away first',
      exitCode: ExitCode.INVALID,
    });
  }
}

export async function initProject(options: InitOptions): Promise<InitResult> {
  const dir = path.resolve(options.cwd ?? process.cwd(), options.dir ?? '.');
  const manifestFile = path.join(dir, INIT_MANIFEST_NAME);
  const schemaFile = path.join(dir, INIT_SCHEMA_NAME);
  await assertNoManifest(dir);
  const usage = (message: string, hint: string) => new MfinfraError(ErrorCode.USAGE, message, { hint, exitCode: ExitCode.USAGE });
  const nameProblem = checkStackName(options.stackName);
  if (nameProblem) throw usage(nameProblem, 'e.g. --stack-name metaflow-prod');
  const regionProblem = options.region === undefined ? undefined : checkRegion(options.region);
  if (regionProblem) throw usage(regionProblem, 'e.g. --region us-west-2');
  if (options.plugins.length === 0) {
    throw usage('choose at least one plugin', `e.g. --plugins ${FIRST_PARTY_ORDER.join(',')}`);
  }

  // Load the chosen plugins from the folder (as validate will) to learn their keys and needs.
  const source = parseManifest('{}', manifestFile);
  let specs = orderSpecs(options.plugins);
  const added: InitResult['added'] = [];
  let loaded: LoadedPlugin[];
  for (;;) {
    loaded = (await loadPlugins(specs, source)).loaded;
    const keys = new Set([...loaded.map((lp) => lp.plugin.key), ...specs]);
    const needed = loaded.flatMap((lp) =>
      (lp.plugin.requires ?? []).filter((k) => !keys.has(k) && FIRST_PARTY_PLUGINS[k]).map((k) => ({ plugin: k, neededBy: lp.spec })),
    );
    const fresh = needed.filter((n, i) => needed.findIndex((m) => m.plugin === n.plugin) === i);
    if (fresh.length === 0) break;
    added.push(...fresh);
    specs = orderSpecs([...specs, ...fresh.map((n) => n.plugin)]);
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
    otherSections: loaded
      .filter((lp) => !FIRST_PARTY_PLUGINS[lp.spec])
      .map((lp) => ({ spec: lp.spec, key: lp.plugin.key, optional: Boolean(lp.plugin.optionalSection) })),
  });
  const schema = assembleSchema(
    loaded.map((lp) => ({ key: lp.plugin.key, plugin: lp.plugin.name, schema: lp.plugin.schema, required: false })),
  );

  // Schema first: if anything fails, no manifest exists and init can simply run again.
  await writeFileAtomic(schemaFile, JSON.stringify(schema, null, 2) + '\n', { createDirs: true });
  if (await existingManifest(dir)) {
    throw new MfinfraError(ErrorCode.MANIFEST_EXISTS, `${manifestFile} appeared while init ran; it was left untouched`, {
      exitCode: ExitCode.INVALID,
    });
  }
  await writeFileAtomic(manifestFile, text);
  return { manifestFile, schemaFile, stackName: options.stackName, region: options.region, plugins: specs, added, missing, text };
}
