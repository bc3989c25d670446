/**
 * Defaults for the items of arrays in a plugin's section (`Plugin.itemDefaults`), applied with the
 * section's `defaults` after validation, so `ctx.manifest`, every hook's `options` and
 * `mfinfra validate --json` show the values that will be used. A key is a JSON pointer into the
 * section where `*` stands for every item of an array (or every value of an object):
 * `{ '/computeEnvironments/*': { maxVcpus: 64 } }`. Each item keeps what it says; the default fills
 * the rest (objects deep-merged, arrays and scalars replaced whole, as `defaults` are).
 */
import { applyDefaults, isPlainObject } from './defaults.js';

export type ItemDefaults = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** The pointer's segments (`/a/*\/b` → `['a', '*', 'b']`), unescaping `~1` and `~0`; undefined when malformed. */
export function pointerSegments(pointer: string): string[] | undefined {
  if (!pointer.startsWith('/') || pointer === '/') return undefined;
  const segments = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return segments.every((s) => s !== '') && segments.includes('*') ? segments : undefined;
}

/** The problem with an `itemDefaults` value as a sentence, or undefined. */
export function itemDefaultsProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'itemDefaults must be an object of JSON pointer → defaults for each item';
  for (const [pointer, defaults] of Object.entries(value)) {
    if (!pointerSegments(pointer)) return `itemDefaults key "${pointer}" is not a JSON pointer with "*" for the items, e.g. "/queues/*"`;
    if (!isPlainObject(defaults)) return `itemDefaults["${pointer}"] must be an object of the item's defaults`;
  }
  return undefined;
}

/** The section with every item default applied (a new value; the input is not changed). */
export function applyItemDefaults<T>(itemDefaults: ItemDefaults | undefined, section: T): T {
  if (!itemDefaults) return section;
  let out: unknown = section;
  for (const [pointer, defaults] of Object.entries(itemDefaults)) {
    const segments = pointerSegments(pointer);
    if (segments) out = applyAt(out, segments, defaults);
  }
  return out as T;
}

function applyAt(value: unknown, segments: readonly string[], defaults: unknown): unknown {
  if (segments.length === 0) return isPlainObject(value) ? applyDefaults(defaults, value) : value;
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '*') {
    if (Array.isArray(value)) return value.map((item) => applyAt(item, rest, defaults));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, applyAt(v, rest, defaults)]));
    return value;
  }
  if (Array.isArray(value) && /^\d+$/.test(head)) {
    const i = Number(head);
    return i < value.length ? value.map((item, j) => (j === i ? applyAt(item, rest, defaults) : item)) : value;
  }
  if (isPlainObject(value) && head in value) return { ...value, [head]: applyAt(value[head], rest, defaults) };
  return value;
}
