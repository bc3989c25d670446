/** `LogicalId=name` pairs (what `mfinfra adopt --import` takes) as import requests. No AWS, no I/O. */
import { fail } from '../errors.js';
import type { ImportRequest } from '../deploy/importPlan.js';

/** Parse `LogicalId=name` pairs (the CLI's `--import`). */
export function parseImportPairs(pairs: readonly string[]): ImportRequest[] {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    const logicalId = pair.slice(0, at).trim();
    const physicalId = pair.slice(at + 1).trim();
    if (at < 1 || !physicalId || !/^[A-Za-z0-9]+$/.test(logicalId)) {
      throw fail.IMPORT_REFUSED(`--import "${pair}" is not LogicalId=name`, {
        hint: 'e.g. --import DatastoreBucket=my-metaflow-bucket (the logical id as `mfinfra compile` names it)',
        kind: 'usage',
      });
    }
    return { logicalId, physicalId };
  });
}
