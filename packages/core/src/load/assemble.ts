import type { JsonSchema } from '../plugin.js';
import type { LoadedPlugin } from './loadPlugins.js';
import { rootSchema } from './rootSchema.js';

export interface SchemaFragment {
  key: string;
  plugin: string;
  schema: JsonSchema;
  /** Whether the section must appear in the manifest. */
  required: boolean;
}

/**
 * The schema of a manifest using `plugins`: each plugin's section under its key, required unless
 * the plugin says it is optional; `forEditor`: none required (the schema a manifest being written
 * is completed and checked against, as `mfinfra schema` and `mfinfra init` write it).
 */
export function schemaOfPlugins(plugins: readonly LoadedPlugin[], options: { forEditor?: boolean } = {}): JsonSchema {
  return assembleSchema(
    plugins.map((lp) => ({
      key: lp.plugin.key,
      plugin: lp.plugin.name,
      schema: lp.plugin.schema,
      required: !options.forEditor && !lp.plugin.optionalSection,
    })),
  );
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
