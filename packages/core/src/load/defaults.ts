/** Deep-merge `defaults` under `value`: the user's values win; arrays and scalars are replaced whole. */
export function applyDefaults<T>(defaults: unknown, value: T): T {
  if (value === undefined) return structuredClone(defaults) as T;
  if (!isPlainObject(defaults) || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) out[key] = structuredClone(defaults[key]);
  for (const key of Object.keys(value)) {
    out[key] = key in defaults ? applyDefaults(defaults[key], value[key]) : value[key];
  }
  return out as T;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Freeze a value and everything inside it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
