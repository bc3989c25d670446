/**
 * The `environments:` part of the editor schema (`mfinfra schema`). An overlay holds only what it
 * changes, so each section's schema is made partial: no `required` in mappings (the merged manifest
 * is validated whole, with the real schema), `oneOf` relaxed to `anyOf` (a partial value may match
 * several branches). A list in an overlay replaces the base's whole, so list items keep their full
 * schema.
 */
import type { JsonSchema } from '../plugin.js';
import { ENVIRONMENT_NAME, ENVIRONMENTS_KEY } from './overlay.js';

/** A copy of `schema` that accepts any part of a value the original accepts (see the file comment). */
export function partialSchema(schema: JsonSchema): JsonSchema {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (k === 'required' || k === 'minProperties') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, JsonSchema>).map(([p, s]) => [p, partialSchema(s)]));
    } else if (k === 'additionalProperties' && v && typeof v === 'object') {
      out.additionalProperties = partialSchema(v as JsonSchema);
    } else if ((k === 'oneOf' || k === 'anyOf' || k === 'allOf') && Array.isArray(v)) {
      out[k === 'oneOf' ? 'anyOf' : k] = v.map((s) => partialSchema(s as JsonSchema));
    } else out[k] = v;
  }
  return out as JsonSchema;
}

/** `schema` (an assembled manifest schema) with an `environments:` property for its overlays. */
export function withEnvironmentsSchema(schema: JsonSchema): JsonSchema {
  const properties = { ...((schema as { properties?: Record<string, JsonSchema> }).properties ?? {}) };
  const overlay: Record<string, JsonSchema> = {};
  for (const [key, s] of Object.entries(properties)) {
    if (key === 'version' || key === ENVIRONMENTS_KEY) continue;
    overlay[key] = partialSchema(s);
  }
  const stack = overlay.stack as Record<string, unknown> | undefined;
  if (stack) overlay.stack = { ...stack, required: ['name'] };
  properties[ENVIRONMENTS_KEY] = {
    type: 'object',
    description:
      'Named environments (dev, staging, prod …): each an overlay deep-merged over this manifest (mappings merge; lists replace; plugins may be added, never dropped). Select one with --env NAME.',
    minProperties: 1,
    maxProperties: 50,
    propertyNames: { pattern: ENVIRONMENT_NAME.source, maxLength: 64 },
    additionalProperties: {
      type: 'object',
      description:
        'What this environment changes: at least its stack (name; region, profile, account). Its Metaflow config goes to config_<environment>.json unless outputs.metaflowConfig says otherwise.',
      additionalProperties: false,
      required: ['stack'],
      properties: overlay,
    },
  };
  return { ...schema, properties };
}
