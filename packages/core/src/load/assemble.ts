import type { JsonSchema } from '../plugin.js';
import { rootSchema } from './rootSchema.js';

export interface SchemaFragment {
  key: string;
  plugin: string;
  schema: JsonSchema;
  /** Whether the section must appear in the manifest. */
  required: boolean;
}

/** Core's root schema with one fragment per plugin under the plugin's key. */
export function assembleSchema(fragments: readonly SchemaFragment[]): JsonSchema {
  const root = rootSchema();
  const properties = { ...(root.properties as Record<string, JsonSchema>) };
  const required = [...(root.required as string[])];
  for (const f of fragments) {
    properties[f.key] = { ...f.schema, 'x-mfinfra-plugin': f.plugin };
    if (f.required) required.push(f.key);
  }
  return { ...root, properties, required };
}
