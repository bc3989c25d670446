import type { JsonSchema } from '../plugin.js';

/** The `outputs:` section after defaults. */
export interface OutputsSection {
  metaflowConfig?: { enabled?: boolean; profile?: string; path?: string };
  envFile?: string | { path: string; format?: 'shell' | 'dotenv' };
  files?: { template: string; path: string; mode?: string }[];
}

/**
 * Schema of the manifest's `outputs:` section: where mfinfra writes Metaflow's config file and any
 * user templates after a deploy. Owned by core (not by a plugin).
 */
export const outputsSchema: JsonSchema = {
  type: 'object',
  description: 'Config files mfinfra writes after apply (Metaflow config, env file, user templates).',
  additionalProperties: false,
  properties: {
    metaflowConfig: {
      description: "Metaflow's own config file (config.json or config_<profile>.json in $METAFLOW_HOME).",
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', description: 'Write the Metaflow config file (default true).' },
        profile: {
          type: 'string',
          pattern: '^[A-Za-z0-9_.-]+$',
          maxLength: 128,
          description: 'Metaflow profile name: writes config_<profile>.json (select it with METAFLOW_PROFILE).',
        },
        path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Write the config to this path instead.' },
      },
    },
    envFile: {
      description:
        'Also write the config values (and AWS_DEFAULT_REGION) as an env file: a path (shell `export` lines), or { path, format }. The API key is never written here.',
      type: ['string', 'object'],
      minLength: 1,
      maxLength: 4096,
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Destination, relative to the manifest.' },
        format: {
          enum: ['shell', 'dotenv'],
          description: "shell: `export KEY='value'` lines (default); dotenv: `KEY='value'` lines.",
        },
      },
    },
    files: {
      description: 'Extra handlebars templates rendered with the config values.',
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['template', 'path'],
        properties: {
          template: { type: 'string', minLength: 1, maxLength: 4096, description: 'Handlebars template, relative to the manifest.' },
          path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Destination, relative to the manifest.' },
          mode: { type: 'string', maxLength: 4, pattern: '^0?[0-7]{3}$', description: 'File mode, e.g. "0600".' },
        },
      },
    },
  },
};
