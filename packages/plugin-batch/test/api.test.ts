/**
 * What other plugins read from `ctx.use('batch')`, and how a plugin such as scheduling attaches
 * its own policy to the job role.
 */
import { expect, test } from 'vitest';
import { compileManifest, fakeDatastore, fakeNetwork, fakePlugin, iamViolations } from '@mfinfra/core/testing';
import { getAtt } from '@mfinfra/core/plugin';
import batchPlugin, { type BatchApi } from '../src/index.js';

function probe(seen: BatchApi[]) {
  return fakePlugin({
    key: 'probe',
    requires: ['batch'],
    resources(ctx) {
      const batch = ctx.use<BatchApi>('batch');
      seen.push(batch);
      return {
        ProbeJobTablePolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'probe-table',
            Roles: [batch.jobRoleName!],
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: getAtt('ProbeTable', 'Arn') }],
            },
          },
        },
        ProbeTable: {
          Type: 'AWS::DynamoDB::Table',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'pathspec', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pathspec', KeyType: 'HASH' }],
          },
        },
      };
    },
  });
}

const yaml = `version: 1
stack: { name: mf-api, region: us-west-2 }
plugins: [network, datastore, batch, probe]
batch:
  computeEnvironments:
    - { name: cpu }
    - { name: small, type: fargate }
  jobQueues:
    - { name: ec2, computeEnvironments: [cpu] }
    - { name: fargate, computeEnvironments: [small], default: true }
`;

test('the batch api names the job role, every queue, the default queue, the Fargate execution role and the security group', async () => {
  const seen: BatchApi[] = [];
  const result = await compileManifest(yaml, {
    plugins: { network: fakeNetwork(), datastore: fakeDatastore(), batch: batchPlugin, probe: probe(seen) },
  });
  expect(seen).toEqual([
    {
      jobRoleName: { Ref: 'BatchJobRole' },
      jobRoleArn: { 'Fn::GetAtt': ['BatchJobRole', 'Arn'] },
      jobQueueArns: [{ Ref: 'BatchEc2JobQueue' }, { Ref: 'BatchFargateJobQueue' }],
      defaultJobQueueArn: { Ref: 'BatchFargateJobQueue' },
      fargateExecutionRoleArn: { 'Fn::GetAtt': ['BatchFargateExecutionRole', 'Arn'] },
      securityGroupId: { 'Fn::GetAtt': ['BatchSecurityGroup', 'GroupId'] },
    },
  ]);
  // Every value points at a resource that is in the template.
  for (const id of ['BatchJobRole', 'BatchEc2JobQueue', 'BatchFargateJobQueue', 'BatchFargateExecutionRole', 'BatchSecurityGroup']) {
    expect(result.template.Resources[id]).toBeDefined();
  }
  // The job role itself grants no DynamoDB: that comes only from the attached policy.
  expect(JSON.stringify(result.template.Resources.BatchJobRole)).not.toContain('dynamodb');
  expect(iamViolations(result.template)).toEqual([]);
});

test('without Fargate there is no execution role in the api or the template', async () => {
  const seen: BatchApi[] = [];
  const result = await compileManifest(`version: 1\nstack: { name: mf-api }\nplugins: [network, datastore, batch, probe]\n`, {
    plugins: { network: fakeNetwork(), datastore: fakeDatastore(), batch: batchPlugin, probe: probe(seen) },
  });
  expect(seen[0]!.fargateExecutionRoleArn).toBeUndefined();
  expect(Object.values(result.template.Resources).filter((r) => JSON.stringify(r).includes('AmazonECSTaskExecutionRolePolicy'))).toEqual(
    [],
  );
});
