import { shellQuote } from './templates.js';

export type EnvFileFormat = 'shell' | 'dotenv';

/**
 * An env file of the config values plus AWS_DEFAULT_REGION (which Metaflow does not read from its
 * config file: boto3 takes the region from the environment or ~/.aws/config). Values are single
 * quoted, which both POSIX shells and dotenv loaders read literally. `shell` adds `export`.
 */
export function formatEnvFile(values: Record<string, string>, region: string, stack: string, format: EnvFileFormat): string {
  const entries: [string, string][] = [
    ['AWS_DEFAULT_REGION', region],
    ...Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ];
  const prefix = format === 'shell' ? 'export ' : '';
  const lines = [`# Metaflow settings for stack ${stack} (${region}), written by mfinfra.`];
  if (format === 'shell') lines.push(`# Load with: source <this file>`);
  for (const [k, v] of entries) lines.push(`${prefix}${k}=${shellQuote(v)}`);
  return lines.join('\n') + '\n';
}
