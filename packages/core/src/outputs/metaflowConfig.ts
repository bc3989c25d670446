import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fail } from '../errors.js';

/** `$METAFLOW_HOME`, else `~/.metaflowconfig` — where Metaflow looks for its config files. */
export function metaflowHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.METAFLOW_HOME && env.METAFLOW_HOME !== '' ? env.METAFLOW_HOME : '~/.metaflowconfig';
  return path.resolve(expandHome(home, env));
}

/** The file Metaflow reads for a profile: `config.json`, or `config_<profile>.json` (METAFLOW_PROFILE). */
export function metaflowConfigFileName(profile?: string): string {
  return profile ? `config_${profile}.json` : 'config.json';
}

/** Expand a leading `~` or `~/` to the user's home folder (HOME, else the OS's idea of it). */
export function expandHome(p: string, env: NodeJS.ProcessEnv = process.env): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith(`~${path.sep}`)) {
    const home = env.HOME && env.HOME !== '' ? env.HOME : os.homedir();
    return path.join(home, p.slice(1));
  }
  return p;
}

/**
 * Serialize exactly as Metaflow's `metaflow configure` does (`json.dump(env, f, indent=4,
 * sort_keys=True)`): keys sorted by code point at every level, 4-space indent, `": "` and `","`
 * separators, non-ASCII escaped as `\uXXXX` (Python's ensure_ascii), no trailing newline.
 */
export function formatMetaflowConfig(config: Record<string, unknown>): string {
  return pythonJson(config, 0);
}

function pythonJson(value: unknown, depth: number): string {
  const pad = (d: number) => ' '.repeat(4 * d);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad(depth + 1) + pythonJson(v, depth + 1)).join(',\n')}\n${pad(depth)}]`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return '{}';
    const rec = value as Record<string, unknown>;
    return `{\n${keys.map((k) => `${pad(depth + 1)}${asciiJson(k)}: ${pythonJson(rec[k], depth + 1)}`).join(',\n')}\n${pad(depth)}}`;
  }
  if (typeof value === 'string') return asciiJson(value);
  return JSON.stringify(value) ?? 'null';
}

function asciiJson(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Read a Metaflow config file with Metaflow's rules: one JSON object at the top level. Values are
 * normally strings (dict/list values are allowed for keys such as METAFLOW_SERVICE_HEADERS).
 */
export function parseMetaflowConfig(text: string, file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw fail.OUTPUT_CONFLICT(`${file} is not valid JSON (${(e as Error).message}), so mfinfra cannot merge into it`, {
      hint: 'fix or remove the file, or pass --force to replace it (the old file is kept as a backup)',
    });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw fail.OUTPUT_CONFLICT(`${file} is not a JSON object of METAFLOW_* settings, so mfinfra cannot merge into it`, {
      hint: 'fix or remove the file, or pass --force to replace it (the old file is kept as a backup)',
    });
  }
  return data as Record<string, unknown>;
}

/** A value's fingerprint in the sidecar record (never the value itself: it may be a secret). */
export function fingerprint(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** What mfinfra wrote last time, kept beside the config file as `.<name>.mfinfra.json`. */
export interface WriteRecord {
  generator: 'mfinfra';
  stack: string;
  region: string;
  updatedAt: string;
  /** key → fingerprint of the value mfinfra wrote. */
  keys: Record<string, string>;
}

export function recordPathFor(configFile: string): string {
  return path.join(path.dirname(configFile), `.${path.basename(configFile)}.mfinfra.json`);
}

export function parseRecord(text: string | undefined): WriteRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const data = JSON.parse(text) as WriteRecord;
    if (data && data.generator === 'mfinfra' && data.keys && typeof data.keys === 'object') return data;
  } catch {
    // An unreadable record is treated as no record: every differing key then counts as the user's.
  }
  return undefined;
}

export interface ConfigMerge {
  /** The config to write. */
  next: Record<string, unknown>;
  /** Keys whose file value differs from the deployed one and was not written by mfinfra. */
  conflicts: { key: string; current: unknown; deployed: string }[];
  /** Keys in the file that mfinfra does not manage (kept as they are). */
  kept: string[];
  /** Keys mfinfra wrote before, no plugin sets any more, and the user did not change (removed). */
  removed: string[];
}

/**
 * Merge deployed values into an existing config. The user's own keys are kept; keys mfinfra wrote
 * last time are updated; a key the user changed by hand is a conflict (replaced only with `force`).
 */
export function mergeConfig(
  existing: Record<string, unknown> | undefined,
  deployed: Record<string, string>,
  record: WriteRecord | undefined,
  force: boolean,
): ConfigMerge {
  const next: Record<string, unknown> = {};
  const conflicts: ConfigMerge['conflicts'] = [];
  const kept: string[] = [];
  const removed: string[] = [];
  const ours = (key: string, value: unknown) => record?.keys[key] !== undefined && record.keys[key] === fingerprint(value);
  for (const [key, value] of Object.entries(existing ?? {})) {
    if (key in deployed) continue;
    if (value === '' || value === null) continue; // Metaflow drops empty values too
    if (ours(key, value)) {
      removed.push(key);
      continue;
    }
    kept.push(key);
    next[key] = value;
  }
  for (const [key, value] of Object.entries(deployed)) {
    const current = existing?.[key];
    if (current !== undefined && current !== value && current !== '' && !ours(key, current)) {
      conflicts.push({ key, current, deployed: value });
      if (!force) {
        next[key] = current;
        continue;
      }
    }
    next[key] = value;
  }
  return { next, conflicts, kept: kept.sort(), removed: removed.sort() };
}
