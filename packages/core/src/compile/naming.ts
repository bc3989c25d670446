import { createHash } from 'node:crypto';
import { PluginError } from '../errors.js';
import type { Naming } from '../plugin.js';

const LOGICAL_ID_MAX = 255;

function words(part: string): string[] {
  return part.split(/[^A-Za-z0-9]+/).filter(Boolean);
}

/** Stable logical ids and physical names derived from the stack name. */
export function createNaming(stackName: string): Naming {
  return {
    stackName,
    logicalId(...parts: string[]): string {
      const id = parts
        .flatMap(words)
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('');
      if (!id || !/^[A-Za-z]/.test(id)) throw new PluginError(`cannot make a logical id from ${JSON.stringify(parts)}`);
      return id.length <= LOGICAL_ID_MAX ? id : id.slice(0, LOGICAL_ID_MAX - 8) + shortHash(id);
    },
    physicalName(parts, options = {}): string {
      const maxLength = options.maxLength ?? 64;
      const sep = options.separator ?? '-';
      const raw = [stackName, ...(Array.isArray(parts) ? parts : [parts])]
        .join(sep)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, sep)
        .replace(new RegExp(`\\${sep}+`, 'g'), sep)
        .replace(new RegExp(`^\\${sep}|\\${sep}$`, 'g'), '');
      if (raw.length <= maxLength) return raw;
      const hash = shortHash(raw);
      return raw.slice(0, maxLength - hash.length - 1).replace(new RegExp(`\\${sep}+$`), '') + sep + hash;
    },
  };
}

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** `METAFLOW_DATASTORE_SYSROOT_S3` → `MetaflowDatastoreSysrootS3` (the stack Output's name). */
export function configKeyToOutputName(key: string): string {
  return key
    .toLowerCase()
    .split('_')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
