/** Property-level detail: leaf differences inside nested property objects, and values by path. */
import type { PropertyChange, PropertyReplacement } from './model.js';

/** True for `{ Ref: x }`, `{ 'Fn::GetAtt': ... }` and other one-key intrinsic objects. */
export function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !isIntrinsic(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The leaf changes between two values of one property: `ComputeResources` becomes
 * `ComputeResources.MaxvCpus` and `ComputeResources.InstanceTypes` when only those differ. Lists of
 * objects are compared element by element (`Policies[0].PolicyDocument...`); lists of plain values and
 * intrinsic functions are compared whole.
 */
export function propertyChanges(path: string, before: unknown, after: unknown, replacement: PropertyReplacement): PropertyChange[] {
  if (same(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => propertyChanges(`${path}.${k}`, before[k], after[k], replacement));
  }
  if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((v) => isPlainObject(v) || Array.isArray(v))) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) => propertyChanges(`${path}[${i}]`, before[i], after[i], replacement)).flat();
  }
  const change: PropertyChange['change'] = before === undefined ? 'add' : after === undefined ? 'remove' : 'modify';
  return [
    {
      path,
      change,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
      replacement,
    },
  ];
}

/** `/Properties/ComputeResources/InstanceTypes/0` → `['ComputeResources', 'InstanceTypes', '0']`. */
export function splitChangeSetPath(path: string): string[] {
  const parts = path.split('/').filter((s) => s !== '');
  return parts[0] === 'Properties' ? parts.slice(1) : parts;
}

/** `['Tags', '0', 'Value']` → `Tags[0].Value`. */
export function joinPath(parts: string[]): string {
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** The value at a path inside a resource's Properties, or undefined. */
export function valueAt(properties: unknown, parts: string[]): unknown {
  let cur: unknown = properties;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const REPLACEMENT_RANK: Record<PropertyReplacement, number> = { never: 0, conditional: 1, always: 2 };

export function worstReplacement(a: PropertyReplacement, b: PropertyReplacement): PropertyReplacement {
  return REPLACEMENT_RANK[a] >= REPLACEMENT_RANK[b] ? a : b;
}
