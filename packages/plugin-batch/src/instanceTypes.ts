/**
 * EC2 instance type names as AWS Batch accepts them: a whole family (`c5`), one size
 * (`c5.2xlarge`), or a Batch keyword (`optimal`, `default_x86_64`, `default_arm64`).
 */

import { didYouMean } from '@mfinfra/core/plugin';
import { EC2_INSTANCE_TYPES } from './generated/ec2InstanceTypes.js';

/** Batch's own choices: `optimal` (C, M and R families, x86) and the newer `default_*` names. */
export const BATCH_INSTANCE_KEYWORDS = ['optimal', 'default_x86_64', 'default_arm64'] as const;

/** Longest instance type name EC2 has (`u7in-16tb.224xlarge` is 19); longer input is refused unread. */
export const MAX_INSTANCE_TYPE_LENGTH = 32;
/** NVIDIA GPU families: p2…p6, g3…g6e, gr6 (not the Graviton CPU families such as c7g). */
const GPU_FAMILY = /^(?:p[0-9]|g[0-9]|gr[0-9])/;

const TYPES: ReadonlySet<string> = new Set(EC2_INSTANCE_TYPES);
/** Family → its sizes, from the table cfn-lint ships (see scripts/extract-aws-tables.py). */
const SIZES: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const t of EC2_INSTANCE_TYPES) {
    const dot = t.indexOf('.');
    const family = t.slice(0, dot);
    m.set(family, [...(m.get(family) ?? []), t.slice(dot + 1)]);
  }
  return m;
})();

export interface InstanceTypeProblem {
  message: string;
  hint: string;
}

/**
 * Why `name` is not an instance type Batch accepts, or undefined when it is fine. The family and the
 * size are looked up in EC2's table (no regular expression runs over the input, so its time is
 * linear in the name, and names longer than any EC2 type are refused before anything else).
 */
export function instanceTypeProblem(name: string): InstanceTypeProblem | undefined {
  if ((BATCH_INSTANCE_KEYWORDS as readonly string[]).includes(name)) return undefined;
  const shown = name.length > MAX_INSTANCE_TYPE_LENGTH ? `${name.slice(0, MAX_INSTANCE_TYPE_LENGTH)}…` : name;
  if (name.length > MAX_INSTANCE_TYPE_LENGTH) {
    return {
      message: `"${shown}" is not an EC2 instance type: it is ${name.length} characters long`,
      hint: `instance types are at most ${MAX_INSTANCE_TYPE_LENGTH} characters, such as c5, c5.2xlarge or "optimal"`,
    };
  }
  if (name !== name.toLowerCase()) {
    return { message: `"${name}" is not an EC2 instance type: instance types are lowercase`, hint: `write "${name.toLowerCase()}"` };
  }
  const [family = '', size, ...rest] = name.split('.');
  if (rest.length > 0 || !SIZES.has(family)) {
    const guess = rest.length === 0 ? didYouMean(family, SIZES.keys()) : undefined;
    return {
      message: `"${name}" is not an EC2 instance type${rest.length === 0 ? `: "${family}" is not an instance family` : ''}`,
      hint: guess
        ? `did you mean "${size === undefined ? guess : `${guess}.${size}`}"?`
        : 'give a family such as c5 or g5, a size such as c5.2xlarge, or "optimal"',
    };
  }
  if (size !== undefined && !TYPES.has(name)) {
    const sizes = SIZES.get(family)!;
    const guess = didYouMean(size, sizes);
    return {
      message: `"${name}" is not an EC2 instance type: "${size}" is not an instance size of ${family}`,
      hint: `${guess ? `did you mean "${family}.${guess}"? ` : ''}${family} comes in ${sizes.join(', ')}; or write "${family}" to allow the whole family`,
    };
  }
  return undefined;
}

/** The family part of an instance type (`g5.xlarge` → `g5`). */
export function instanceFamily(name: string): string {
  return name.split('.')[0] ?? name;
}

/** Whether the type (or family) carries NVIDIA GPUs, so jobs need the ECS GPU AMI. */
export function isGpuInstanceType(name: string): boolean {
  return GPU_FAMILY.test(instanceFamily(name));
}
