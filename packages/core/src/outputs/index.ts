/**
 * Config outputs: after a deploy, resolve the plugins' Metaflow settings from the stack's Outputs and
 * write Metaflow's config file, an env file and the user's handlebars templates. This is the folder's
 * public part: src/index.ts re-exports all of it.
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
export { formatMetaflowConfig, metaflowConfigFileName, metaflowHome, parseMetaflowConfig } from './metaflowConfig.js';
export { renderTemplate } from './templates.js';
export type { TemplateContext } from './templates.js';
export type { OutputsSection } from './schema.js';
