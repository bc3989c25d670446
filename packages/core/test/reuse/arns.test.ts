/**
 * The role helpers plugins use in `verify` for `existing:` roles: what IAM's answers become in the
 * manifest report (the same words for batch, scheduling and any third-party plugin).
 */
import { describe, expect, it } from 'vitest';
import { reportRole, roleArnSchema, roleOrUndefined, type ExistingRoleCheck } from '../../src/plugin.js';

const trust = (service: string) =>
  encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] }));
const check: ExistingRoleCheck = {
  arn: 'arn:aws:iam::123456789012:role/jobs',
  path: ['existing', 'jobRole'],
  service: 'ecs-tasks.amazonaws.com',
  notFoundCode: 'X_ROLE_NOT_FOUND',
  wrongTrustCode: 'X_ROLE_WRONG_TRUST',
  trustHint: 'let ecs-tasks.amazonaws.com assume it',
};
function reports(found: Parameters<typeof reportRole>[2]) {
  const out: { message: string; code: string; hint: string }[] = [];
  reportRole({ report: (message, o) => out.push({ message, code: o.code, hint: o.hint }) }, check, found);
  return out;
}

describe('existing roles', () => {
  it('NoSuchEntity is "does not exist"; any other IAM failure is thrown, not taken for a missing role', async () => {
    const missing = Object.assign(new Error('no role'), { name: 'NoSuchEntityException' });
    const denied = Object.assign(new Error('denied'), { name: 'AccessDenied' });
    expect(await roleOrUndefined(() => Promise.reject(missing))).toBeUndefined();
    await expect(roleOrUndefined(() => Promise.reject(denied))).rejects.toThrow('denied');
    expect(reports(undefined)).toEqual([
      {
        message: 'role arn:aws:iam::123456789012:role/jobs does not exist',
        code: 'X_ROLE_NOT_FOUND',
        hint: 'check the ARN (aws iam get-role --role-name <name>) and the account of the credentials in use',
      },
    ]);
  });

  it('a role trusting another service, or found under another ARN, is reported with the hint; a fitting one is not', () => {
    expect(reports({ Arn: check.arn, AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com') })).toEqual([]);
    expect(reports({ Arn: check.arn, AssumeRolePolicyDocument: trust('lambda.amazonaws.com') })).toEqual([
      {
        message:
          'role arn:aws:iam::123456789012:role/jobs does not trust ecs-tasks.amazonaws.com: its trust policy lets lambda.amazonaws.com assume it',
        code: 'X_ROLE_WRONG_TRUST',
        hint: 'let ecs-tasks.amazonaws.com assume it',
      },
    ]);
    expect(
      reports({ Arn: 'arn:aws:iam::123456789012:role/team/jobs', AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com') })[0]?.message,
    ).toBe('role jobs exists as arn:aws:iam::123456789012:role/team/jobs, not arn:aws:iam::123456789012:role/jobs');
  });

  it('gives the schema of a role ARN key: role ARNs with or without a path pass, anything else does not', () => {
    const schema = roleArnSchema('ARN of the role; it must trust states.amazonaws.com.');
    expect(schema).toMatchObject({ type: 'string', maxLength: 2048, description: 'ARN of the role; it must trust states.amazonaws.com.' });
    const pattern = new RegExp(schema.pattern);
    expect(pattern.test('arn:aws:iam::123456789012:role/metaflow')).toBe(true);
    expect(pattern.test('arn:aws-cn:iam::123456789012:role/service-role/metaflow')).toBe(true);
    expect(pattern.test('metaflow')).toBe(false);
    expect(pattern.test('arn:aws:iam::123456789012:user/metaflow')).toBe(false);
  });
});
