/**
 * Check a manifest against a JSON Schema file the way an editor's language server does: a plain
 * draft-07 validator (ajv, with formats) over the file as written, not mfinfra's own validation.
 * A bare import here resolves ajv and yaml from packages/core, for tests outside core too.
 */
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';

export { parse as parseYaml } from 'yaml';

export function validateWithSchemaFile(schema: object, value: unknown): { ok: boolean; errors: string } {
  const ajv = new AjvModule.default({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  const validate = ajv.compile(schema);
  const ok = validate(value);
  return { ok, errors: JSON.stringify(validate.errors ?? []) };
}
