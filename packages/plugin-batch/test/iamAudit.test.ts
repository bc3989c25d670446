import { expect, test } from 'vitest';
import type { CfnTemplate } from '@mfinfra/core';
import { broadIamGrants } from './iamAudit.js';

test('the IAM audit flags wildcard grants on every resource and FullAccess policies, not scoped or Deny statements', () => {
  const template = {
    Resources: {
      Bad: {
        Type: 'AWS::IAM::Role',
        Properties: {
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'],
          Policies: [
            {
              PolicyName: 'p',
              PolicyDocument: {
                Statement: [
                  { Effect: 'Allow', Action: ['s3:GetObject', 'dynamodb:*'], Resource: '*' },
                  { Effect: 'Allow', Action: '*', Resource: ['*'] },
                  { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
                  { Effect: 'Deny', Action: 's3:*', Resource: '*' },
                ],
              },
            },
          ],
        },
      },
      AlsoBad: {
        Type: 'AWS::IAM::Policy',
        Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'batch:*', Resource: '*' }] } },
      },
    },
  } as unknown as CfnTemplate;
  expect(broadIamGrants(template)).toEqual([
    'Bad: managed policy "arn:aws:iam::aws:policy/AmazonS3FullAccess"',
    'Bad: dynamodb:* on *',
    'Bad: * on *',
    'AlsoBad: batch:* on *',
  ]);
});
