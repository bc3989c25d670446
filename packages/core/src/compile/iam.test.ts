import { describe, expect, it } from 'vitest';
import { policyDocument, serviceTrustPolicy } from './iam.js';

describe('serviceTrustPolicy', () => {
  it('lets the service assume the role for this account only', () => {
    expect(serviceTrustPolicy('lambda.amazonaws.com')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
  });

  it('can also hold the service to source ARNs, or leave out the account condition for services that do not send it', () => {
    const flowLogs = { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*' };
    const withArn = serviceTrustPolicy('vpc-flow-logs.amazonaws.com', { sourceArnLike: flowLogs }) as {
      Statement: { Condition: unknown }[];
    };
    expect(withArn.Statement[0]!.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': flowLogs },
    });
    expect(serviceTrustPolicy('ec2.amazonaws.com', { sourceAccount: false })).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  it('wraps statements in a policy document', () => {
    expect(policyDocument([{ Effect: 'Allow' }])).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow' }] });
  });
});
