/**
 * `environments:` — named overlays over the base manifest (dev, staging, prod …). One environment's
 * manifest is the base deep-merged with its overlay: mappings merge key by key, anything else (a list,
 * a scalar) in the overlay replaces the base's value whole. `plugins` is the one list with a rule of
 * its own: an overlay may add plugins but never drop one the base loads (it would silently remove a
 * part of that deployment).
 *
 * The merged manifest is handed to the rest of the pipeline as a {@link ManifestSource} whose
 * positions follow each value to where it came from: a value the overlay set points at the overlay's
 * line, one it inherited at the base's. Nothing downstream knows environments exist.
 */
import { ErrorCode, type Diagnostic, type SourceLocation } from '../errors.js';
import { formatPath, type ManifestSource } from '../load/source.js';

/** The manifest key that declares environments. */
export const ENVIRONMENTS_KEY = 'environments';
/** An environment name: it becomes a Metaflow profile (`config_<name>.json`) and a state folder. */
export const ENVIRONMENT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const ENVIRONMENT_NAME_RULE = 'letters, digits, _ and -, starting with a letter, at most 64 characters';
/** Keys an overlay may not set: the format version is the file's, and overlays do not nest. */
const NOT_IN_OVERLAY = ['version', ENVIRONMENTS_KEY];

type Path = ReadonlyArray<string | number>;
type Data = Record<string, unknown>;

function isMapping(v: unknown): v is Data {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The environment names a manifest declares, in file order; undefined when it declares none. */
export function declaredEnvironments(data: unknown): string[] | undefined {
  if (!isMapping(data) || !(ENVIRONMENTS_KEY in data)) return undefined;
  const envs = data[ENVIRONMENTS_KEY];
  return isMapping(envs) ? Object.keys(envs) : [];
}

/**
 * Deep-merge `overlay` over `base`: mappings merge, everything else in the overlay replaces. The
 * inputs are not changed; the result shares no mapping with them.
 */
export function mergeOverlay(base: unknown, overlay: unknown): unknown {
  if (overlay === undefined) return structuredClone(base);
  if (!isMapping(base) || !isMapping(overlay)) return structuredClone(overlay);
  const out: Data = {};
  for (const [k, v] of Object.entries(base)) out[k] = structuredClone(v);
  for (const [k, v] of Object.entries(overlay)) out[k] = k in base ? mergeOverlay(base[k], v) : structuredClone(v);
  return out;
}

function valueAt(data: unknown, p: Path): { found: boolean; value: unknown; depth: number } {
  let node: unknown = data;
  let depth = 0;
  for (const part of p) {
    if (Array.isArray(node) && typeof part === 'number' && part < node.length) node = node[part];
    else if (isMapping(node) && Object.hasOwn(node, String(part))) node = node[String(part)];
    else return { found: false, value: undefined, depth };
    depth++;
  }
  return { found: true, value: node, depth };
}

/** Whether the merged value at `p` (or the whole of a list or scalar above it) was written by the overlay. */
function fromOverlay(overlay: unknown, base: unknown, p: Path): boolean {
  // A list or scalar the overlay set replaces the base's whole: everything inside it is the overlay's.
  for (let i = 1; i <= p.length; i++) {
    const at = valueAt(overlay, p.slice(0, i));
    if (!at.found) break;
    if (!isMapping(at.value)) return true;
  }
  if (valueAt(overlay, p).found) return true;
  if (valueAt(base, p).found) return false;
  // Neither has the whole path (a missing key): whichever has more of it.
  return valueAt(overlay, p).depth > valueAt(base, p).depth;
}

/** A selected environment: the merged manifest as a source, and the problems of its overlay. */
export interface EnvironmentSelection {
  name: string;
  /** Every environment the manifest declares, in file order. */
  names: string[];
  source: ManifestSource;
  diagnostics: Diagnostic[];
}

/**
 * The manifest of environment `name`: base merged with its overlay (the `environments` key removed),
 * with positions mapped back to the file. The Metaflow profile defaults to the environment's name, so
 * each environment writes its own `config_<name>.json`.
 */
export function selectEnvironment(source: ManifestSource, name: string): EnvironmentSelection {
  const root = source.data as Data;
  const names = declaredEnvironments(root) ?? [];
  const overlays = root[ENVIRONMENTS_KEY] as Data;
  const overlay = (isMapping(overlays) ? overlays[name] : undefined) ?? {};
  const base: Data = { ...root };
  delete base[ENVIRONMENTS_KEY];
  const prefix = [ENVIRONMENTS_KEY, name];
  const diagnostics: Diagnostic[] = [];
  const at = (p: Path, key = false): SourceLocation => {
    if (fromOverlay(overlay, base, p)) return key ? source.locateKey([...prefix, ...p]) : source.locate([...prefix, ...p]);
    return key ? source.locateKey(p) : source.locate(p);
  };
  const report = (p: Path, message: string, hint: string, onKey = false) => {
    const loc = onKey ? source.locateKey(p) : source.locate(p);
    diagnostics.push({
      code: ErrorCode.ENVIRONMENT_INVALID,
      severity: 'error',
      message,
      hint,
      path: formatPath(p),
      loc,
      frame: source.frame(loc),
    });
  };

  const merged = isMapping(overlay) ? (mergeOverlay(base, overlay) as Data) : structuredClone(base);
  if (isMapping(overlay)) {
    for (const key of NOT_IN_OVERLAY) {
      if (key in overlay) {
        report(
          [...prefix, key],
          `environment ${name} sets "${key}", which only the base manifest may set`,
          key === 'version' ? 'remove it: the format version is the whole file’s' : 'environments do not nest: remove it',
          true,
        );
        merged[key] = base[key];
      }
    }
    // plugins: add, never drop silently.
    if (Array.isArray(overlay.plugins) && Array.isArray(base.plugins)) {
      const mine = new Set(overlay.plugins);
      const dropped = base.plugins.filter((p) => typeof p === 'string' && !mine.has(p));
      if (dropped.length) {
        report(
          [...prefix, 'plugins'],
          `environment ${name} leaves out plugin${dropped.length === 1 ? '' : 's'} ${dropped.join(', ')} that the base manifest loads: an environment may add plugins but not drop them`,
          `list ${dropped.join(', ')} here too, or move ${dropped.length === 1 ? 'it' : 'them'} from the base plugins into the environments that need ${dropped.length === 1 ? 'it' : 'them'}`,
        );
      }
    }
    // Every environment names its own stack: two environments must never deploy over one stack by accident.
    const stack = overlay.stack;
    if (!isMapping(stack) || stack.name === undefined) {
      report(
        isMapping(stack) ? [...prefix, 'stack'] : prefix,
        `environment ${name} does not name its stack (stack.name)`,
        `give each environment its own stack, e.g. stack: { name: metaflow-${name} }`,
        true,
      );
    }
  }
  // The Metaflow profile: the overlay's own, else the environment's name. A profile or path set only
  // in the base would send every environment's config to one file.
  const outputs = (isMapping(merged.outputs) ? merged.outputs : (merged.outputs = {})) as Data;
  if (isMapping(outputs)) {
    const mc = (isMapping(outputs.metaflowConfig) ? outputs.metaflowConfig : (outputs.metaflowConfig = {})) as Data;
    const own = isMapping(overlay) ? valueAt(overlay, ['outputs', 'metaflowConfig']).value : undefined;
    for (const key of ['profile', 'path']) {
      if (mc[key] !== undefined && !(isMapping(own) && key in own)) {
        report(
          ['outputs', 'metaflowConfig', key],
          `outputs.metaflowConfig.${key} is set in the base manifest, so every environment would write the same Metaflow config file`,
          `set it in each environment instead (by default environment ${name} writes config_${name}.json, selected with METAFLOW_PROFILE=${name})`,
        );
      }
    }
    if (mc.profile === undefined && mc.path === undefined) mc.profile = name;
  }

  const view: ManifestSource = {
    file: source.file,
    dir: source.dir,
    text: source.text,
    data: merged,
    locate: (p) => at(p),
    locateKey: (p) => at(p, true),
    frame: source.frame,
  };
  return { name, names, source: view, diagnostics };
}

/**
 * Problems of the `environments` section itself (before any environment is merged): it must be a
 * mapping of one or more well-named overlays, each a mapping.
 */
export function checkEnvironmentsSection(source: ManifestSource): Diagnostic[] {
  const root = source.data as Data;
  const envs = root[ENVIRONMENTS_KEY];
  const out: Diagnostic[] = [];
  const push = (p: Path, message: string, hint: string, onKey = false) => {
    const loc = onKey ? source.locateKey(p) : source.locate(p);
    out.push({ code: ErrorCode.ENVIRONMENT_INVALID, severity: 'error', message, hint, path: formatPath(p), loc, frame: source.frame(loc) });
  };
  if (!isMapping(envs) || Object.keys(envs).length === 0) {
    push(
      [ENVIRONMENTS_KEY],
      'environments must be a mapping of one or more named overlays',
      'e.g. environments: { dev: { stack: { name: metaflow-dev } }, prod: { stack: { name: metaflow-prod } } }, or remove the key',
    );
    return out;
  }
  for (const [name, overlay] of Object.entries(envs)) {
    if (!ENVIRONMENT_NAME.test(name)) {
      push([ENVIRONMENTS_KEY, name], `environment name "${name}" is not valid`, `an environment name has ${ENVIRONMENT_NAME_RULE}`, true);
    }
    if (!isMapping(overlay)) {
      push(
        [ENVIRONMENTS_KEY, name],
        `environment ${name} must be a mapping of the settings it changes`,
        `e.g. ${name}: { stack: { name: metaflow-${name}, region: us-west-2 } }`,
      );
    }
  }
  return out;
}

/**
 * Two environments that resolve to the same stack (name, region, account and profile all equal) would
 * deploy over each other: refused at the later one's stack name.
 */
export function checkDistinctTargets(selections: readonly EnvironmentSelection[]): Diagnostic[] {
  const seen = new Map<string, string>();
  const out: Diagnostic[] = [];
  for (const sel of selections) {
    const stack = (sel.source.data as Data).stack;
    if (!isMapping(stack) || typeof stack.name !== 'string') continue;
    const key = JSON.stringify([stack.name, stack.region ?? null, stack.account ?? null, stack.profile ?? null]);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, sel.name);
      continue;
    }
    const loc = sel.source.locate(['stack', 'name']);
    out.push({
      code: ErrorCode.ENVIRONMENT_INVALID,
      severity: 'error',
      message: `environments ${first} and ${sel.name} both deploy stack ${stack.name}${stack.region ? ` in ${String(stack.region)}` : ''}`,
      hint: 'give each environment its own stack name, or a region, account or profile of its own',
      path: formatPath([ENVIRONMENTS_KEY, sel.name, 'stack', 'name']),
      loc,
      frame: sel.source.frame(loc),
    });
  }
  return out;
}
