/** Recorded DescribeChangeSet responses (every page, as AWS returns them) with the templates they belong to. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Change, DescribeChangeSetOutput } from '@aws-sdk/client-cloudformation';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface RecordedCase {
  name: string;
  pages: DescribeChangeSetOutput[];
  /** Every page's Changes, in order. */
  changes: Change[];
  statusReason?: string;
  stackName: string;
  oldTemplate?: object;
  newTemplate: object;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function recordedCase(name: string): RecordedCase {
  const dir = path.join(FIXTURES, name);
  const pages = readJson<DescribeChangeSetOutput[]>(path.join(dir, 'describe-change-set.json'));
  const old = path.join(dir, 'old.template.json');
  return {
    name,
    pages,
    changes: pages.flatMap((p) => p.Changes ?? []),
    statusReason: pages[0]?.StatusReason,
    stackName: pages[0]!.StackName!,
    oldTemplate: existsSync(old) ? readJson<object>(old) : undefined,
    newTemplate: readJson<object>(path.join(dir, 'new.template.json')),
  };
}

export const RECORDED_CASES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(FIXTURES, d.name, 'describe-change-set.json')))
  .map((d) => d.name)
  .sort();
