/**
 * The account guard (issue 18 item 3), through the CLI with the SDK mocked (aws-sdk-client-mock):
 * with stack.account pinned, plan/apply/destroy ask STS GetCallerIdentity first and, when the
 * credentials belong to another account, refuse (exit 2) before any other AWS call, naming both
 * accounts and the profile. Without a pin, STS is never asked.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { assertAccount, credentialSource } from '../../src/environments/accountGuard.js';
import { runCli } from '../helpers/runCli.js';
import { tempProject } from '../helpers/tempProject.js';

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
afterAll(() => {
  sts.restore();
  cfn.restore();
  s3.restore();
});

const MANIFEST = `version: 1
stack: { name: metaflow, region: us-west-2 }
plugins: [datastore]
datastore: { sysroot: metaflow }
environments:
  dev:
    stack: { name: metaflow-dev, profile: dev-admin }
  prod:
    stack: { name: metaflow-prod, region: us-east-1, profile: prod-admin, account: "123456789012" }
`;

/** Every SDK call the mocks saw, in order, as "Service.Command". */
function calls(): string[] {
  const all = [
    ...sts.calls().map((c) => ({ c, name: `STS.${c.args[0].constructor.name}` })),
    ...cfn.calls().map((c) => ({ c, name: `CloudFormation.${c.args[0].constructor.name}` })),
    ...s3.calls().map((c) => ({ c, name: `S3.${c.args[0].constructor.name}` })),
  ];
  // sinon records a global call order on each call.
  return all
    .sort((a, b) => (a.c as unknown as { callId: number }).callId - (b.c as unknown as { callId: number }).callId)
    .map((x) => x.name);
}

beforeEach(() => {
  sts.reset();
  cfn.reset();
  s3.reset();
  // No stack yet: DescribeStacks says so; nothing further is needed to see the order of calls.
  cfn
    .on(DescribeStacksCommand)
    .rejects(Object.assign(new Error('Stack with id metaflow-prod does not exist'), { name: 'ValidationError' }));
});

describe('the account guard', () => {
  for (const command of [['plan'], ['apply', '--yes'], ['destroy', '--yes']]) {
    it(`${command[0]} with credentials of another account: refused before any other AWS call (exit 2)`, async () => {
      sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/x' });
      const dir = tempProject({ 'metaflow.infra.yaml': MANIFEST });
      const r = await runCli([...command, dir, '--env', 'prod', '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const error = JSON.parse(r.stdout).error;
      expect(error.code).toBe('ACCOUNT_MISMATCH');
      expect(error.message).toBe(
        'profile prod-admin belongs to account 999999999999, but stack metaflow-prod (environment prod) is pinned to account 123456789012',
      );
      expect(error.hint).toContain('nothing was sent to CloudFormation');
      expect(calls()).toEqual(['STS.GetCallerIdentityCommand']);
    });
  }

  it('with credentials of the pinned account, STS comes first and the plan goes on', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    const dir = tempProject({ 'metaflow.infra.yaml': MANIFEST });
    await runCli(['plan', dir, '--env', 'prod', '--json']);
    const seen = calls();
    expect(seen[0]).toBe('STS.GetCallerIdentityCommand');
    expect(seen.filter((c) => c.startsWith('CloudFormation.')).length).toBeGreaterThan(0);
    expect(seen.filter((c) => c === 'STS.GetCallerIdentityCommand')).toHaveLength(1); // asked once, reused
  });

  it('no pin, no STS call', async () => {
    const dir = tempProject({ 'metaflow.infra.yaml': MANIFEST });
    await runCli(['plan', dir, '--env', 'dev', '--json']);
    expect(calls()).not.toContain('STS.GetCallerIdentityCommand');
    expect(calls()[0]).toMatch(/^CloudFormation\./);
  });

  it('a manifest with environments and no --env: AWS commands refuse, listing the names, and call nothing', async () => {
    const dir = tempProject({ 'metaflow.infra.yaml': MANIFEST });
    for (const command of ['plan', 'apply', 'destroy', 'drift', 'outputs']) {
      const r = await runCli([command, dir, ...(command === 'apply' || command === 'destroy' ? ['--yes'] : []), '--json']);
      expect(r.code, `${command}: ${r.stdout}${r.stderr}`).toBe(2);
      const error = JSON.parse(r.stdout).error;
      expect([error.code, error.message]).toEqual([
        'ENVIRONMENT_REQUIRED',
        'metaflow.infra.yaml declares environments dev, prod: this command works on one of them',
      ]);
    }
    expect(calls()).toEqual([]);
  });

  it('STS failing is a failure that names the pin, with nothing else sent', async () => {
    const e = await assertAccount(
      async () => {
        throw new Error('The security token included in the request is invalid');
      },
      { account: '123456789012', stackName: 'metaflow-prod', environment: 'prod' },
      {},
    ).catch((x: unknown) => x as { code: string; exitCode: number; message: string });
    expect(e).toMatchObject({ code: 'ACCOUNT_MISMATCH', exitCode: 1 });
    expect((e as unknown as Error).message).toContain('is pinned to account 123456789012): The security token');
  });

  it('says where the credentials came from', () => {
    expect(credentialSource('p')).toBe('profile p');
    expect(credentialSource(undefined, { AWS_PROFILE: 'q' })).toBe('profile q (AWS_PROFILE)');
    expect(credentialSource(undefined, { AWS_ACCESS_KEY_ID: 'AKIA' })).toBe('the AWS_ACCESS_KEY_ID credentials in the environment');
    expect(credentialSource(undefined, {})).toBe('the default credential chain');
  });
});
