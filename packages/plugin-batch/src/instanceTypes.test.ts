import { describe, expect, test } from 'vitest';
import { instanceTypeProblem, isGpuInstanceType } from './instanceTypes.js';

describe('instanceTypeProblem', () => {
  test.each([
    'optimal',
    'default_x86_64',
    'default_arm64',
    'c5',
    'c5n',
    'm7i-flex',
    'p4d',
    'p4d.24xlarge',
    'g5.xlarge',
    'c6g.metal',
    'r7iz.metal-16xl',
    'u-6tb1.metal',
    't3.nano',
    'p6-b200.48xlarge',
  ])('%s is accepted', (t) => expect(instanceTypeProblem(t)).toBeUndefined());

  test.each([
    ['C5', 'instance types are lowercase'],
    ['large', 'is not an EC2 instance type'],
    ['c5.', 'is not an instance size'],
    ['c5.huge', '"huge" is not an instance size'],
    ['c5.large.x', 'is not an EC2 instance type'],
    ['c5 large', 'is not an EC2 instance type'],
  ])('%s is refused (%s)', (t, why) => expect(instanceTypeProblem(t)?.message).toContain(why));
});

test('P and G families are GPU types; Graviton CPU families and others are not', () => {
  expect(['p3', 'p4d.24xlarge', 'p5', 'g4dn.xlarge', 'g5', 'g6e', 'gr6.4xlarge'].filter(isGpuInstanceType)).toHaveLength(7);
  expect(['c7g', 'm6g.large', 'optimal', 'inf2', 'trn1', 'r5', 'x2gd'].filter(isGpuInstanceType)).toEqual([]);
});
