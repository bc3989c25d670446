/**
 * EC2 instance type names as AWS Batch accepts them: a whole family (`c5`), one size
 * (`c5.2xlarge`), or a Batch keyword (`optimal`, `default_x86_64`, `default_arm64`).
 */

/** Batch's own choices: `optimal` (C, M and R families, x86) and the newer `default_*` names. */
export const BATCH_INSTANCE_KEYWORDS = ['optimal', 'default_x86_64', 'default_arm64'] as const;

const FAMILY = /^[a-z]+[0-9]*[a-z0-9]*(?:-[a-z0-9]+)*$/;
const SIZE = /^(?:nano|micro|small|medium|large|xlarge|[0-9]+xlarge|metal(?:-[0-9]+xl)?)$/;
/** NVIDIA GPU families: p2…p6, g3…g6e, gr6 (not the Graviton CPU families such as c7g). */
const GPU_FAMILY = /^(?:p[0-9]|g[0-9]|gr[0-9])/;

export interface InstanceTypeProblem {
  message: string;
  hint: string;
}

/** Why `name` is not an instance type Batch accepts, or undefined when it is fine. */
export function instanceTypeProblem(name: string): InstanceTypeProblem | undefined {
  if ((BATCH_INSTANCE_KEYWORDS as readonly string[]).includes(name)) return undefined;
  if (name !== name.toLowerCase()) {
    return { message: `"${name}" is not an EC2 instance type: instance types are lowercase`, hint: `write "${name.toLowerCase()}"` };
  }
  const [family = '', size, ...rest] = name.split('.');
  const familyOk = FAMILY.test(family) && /[0-9]/.test(family);
  if (!familyOk || rest.length > 0) {
    return {
      message: `"${name}" is not an EC2 instance type`,
      hint: 'give a family such as c5 or g5, a size such as c5.2xlarge, or "optimal"',
    };
  }
  if (size !== undefined && !SIZE.test(size)) {
    return {
      message: `"${name}" is not an EC2 instance type: "${size}" is not an instance size`,
      hint: `sizes look like large, xlarge, 2xlarge or metal; or write "${family}" to allow the whole ${family} family`,
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
