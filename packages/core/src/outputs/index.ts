/**
 * Config outputs: after a deploy, resolve the plugins' Metaflow settings from the stack's Outputs and
 * write Metaflow's config file, an env file and the user's handlebars templates.
 */
export { writeConfigOutputs } from './write.js';
export type {
  ConfigConflict,
  OutputFileKind,
  OutputFileResult,
  OutputFileStatus,
  WriteOutputsInput,
  WriteOutputsOptions,
  WriteOutputsResult,
} from './types.js';
export { REDACTED, resolveConfigValues } from './resolve.js';
export { formatMetaflowConfig, metaflowConfigFileName, metaflowHome, parseMetaflowConfig } from './metaflowConfig.js';
export { renderTemplate, shellQuote, yamlQuote } from './templates.js';
export type { TemplateContext } from './templates.js';
export type { OutputsSection } from './schema.js';
