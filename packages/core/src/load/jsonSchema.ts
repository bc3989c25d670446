/**
 * The JSON Schema type of plugin and manifest schemas. A leaf: it imports nothing, so load/ and
 * reuse/ can use it without going through `plugin.ts` (which re-exports it as part of
 * `@mfinfra/core/plugin`).
 */

/**
 * A JSON Schema object. Plugin schemas are **JSON Schema draft-07**, compiled by ajv in strict mode:
 * an unknown keyword (`requird`, `minimun`, or a keyword of a later draft such as `prefixItems`), a
 * keyword value of the wrong type, or a keyword that does not apply to the declared `type` is a
 * load-time error naming the plugin, the keyword, its value and its path in the schema. Formats are
 * ajv-formats'. (`required` may name properties a subschema does not declare, as in `oneOf` branches.)
 */
export interface JsonSchema {
  [keyword: string]: unknown;
}
