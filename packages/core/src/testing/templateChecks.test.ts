import { describe, expect, it } from 'vitest';
import { actionsOnAnyResource, iamStatements, iamViolations, openIngress } from './templateChecks.js';

// The checks plugin tests rely on must catch what they are meant to catch.
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

  // Was plugin-batch's IAM audit test: wildcards on every resource and FullAccess policies are
  // flagged, Deny statements are not. (The shared check is the stricter one: `service:*` is
  // flagged on a scoped resource too.)
  it('flags wildcard grants on every resource and FullAccess policies in roles and policies, not Deny statements', () => {
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
    };
    expect(iamViolations(template)).toEqual([
      'Bad: action dynamodb:*',
      'Bad: action *',
      'Bad: action s3:*',
      'Bad: "arn:aws:iam::aws:policy/AmazonS3FullAccess"',
      'AlsoBad: action batch:*',
    ]);
    expect(actionsOnAnyResource(template)).toEqual(['*', 'batch:*', 'dynamodb:*', 's3:GetObject']);
  });

  // Was test/examples.test.ts's check: FullAccess managed policies count wherever they are attached.
  it('reads policies of users and groups, managed policy ARNs anywhere, and single statements', () => {
    const template = {
      Resources: {
        U: {
          Type: 'AWS::IAM::User',
          Properties: {
            Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: { Effect: 'Allow', Action: 'ec2:*', Resource: '*' } } }],
          },
        },
        G: {
          Type: 'AWS::IAM::Group',
          Properties: { ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess-FullAccess' }] },
        },
        Q: { Type: 'AWS::SQS::Queue', Properties: {} },
      },
    };
    expect(iamStatements(template)).toEqual([
      { where: 'U', Effect: 'Allow', Action: ['ec2:*'], Resource: ['*'] },
      {
        where: 'G',
        Effect: 'Allow',
        Action: ['(managed policies)'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess-FullAccess' }],
      },
    ]);
    expect(iamViolations(template)).toEqual([
      'U: action ec2:*',
      'G: {"Fn::Sub":"arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess-FullAccess"}',
    ]);
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
});
