import { describe, expect, it } from 'vitest';
import { actionsOnAnyResource, cfnLint, hasCfnLint, iamViolations, openIngress } from './templateChecks.js';

// The checks other tests rely on must catch what they are meant to catch.
describe('template checks', () => {
  const role = (statements: object[]) => ({
    Type: 'AWS::IAM::Role',
    Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }] },
  });

  it('flags "*" and service-wide actions in Allow statements and FullAccess managed policies, not in Deny', () => {
    const template = {
      Resources: {
        A: role([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
        B: role([{ Effect: 'Allow', Action: ['s3:GetObject', 'dynamodb:*'], Resource: 'arn:aws:dynamodb:::table/t' }]),
        C: role([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]),
        D: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] } },
        E: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyDocument: { Statement: { Effect: 'Allow', Action: 'states:*', Resource: 'x' } } },
        },
      },
    };
    expect(iamViolations(template)).toEqual([
      'A: action *',
      'B: action dynamodb:*',
      'D: "arn:aws:iam::aws:policy/AmazonS3FullAccess"',
      'E: action states:*',
    ]);
    expect(actionsOnAnyResource(template)).toEqual(['*']);
  });

  it('flags ingress from the whole internet, inline or as separate rules', () => {
    const template = {
      Resources: {
        Inline: {
          Type: 'AWS::EC2::SecurityGroup',
          Properties: { SecurityGroupIngress: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '0.0.0.0/0' }] },
        },
        Rule: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { CidrIpv6: '::/0' } },
        Fine: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { SourceSecurityGroupId: 'sg-1' } },
      },
    };
    expect(openIngress(template)).toEqual(['Inline', 'Rule']);
  });

  it.skipIf(!hasCfnLint)('reports cfn-lint findings by template name', () => {
    const template = (props: object) =>
      JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: props } } });
    const findings = cfnLint({ clean: template({}), broken: template({ NoSuchProperty: 1 }) });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^broken: E3002 .*NoSuchProperty/);
  });
});
