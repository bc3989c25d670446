import { describe, expect, it } from 'vitest';
import { getAtt, join, nagValue, ref, scannerExceptions, sub, wildcardException, wildcardFindings } from '../../src/plugin.js';

describe('scanner exceptions in resource Metadata', () => {
  it('writes cdk-nag ids under cdk_nag.rules_to_suppress and checkov ids under checkov.skip, each with its reason', () => {
    expect(
      scannerExceptions(
        { id: 'AwsSolutions-IAM5', reason: 'objects of one bucket', appliesTo: ['Resource::<B.Arn>/*'] },
        { id: 'AwsSolutions-S1', reason: 'the log bucket' },
        { id: 'CKV_AWS_18', reason: 'the log bucket' },
      ),
    ).toEqual({
      cdk_nag: {
        rules_to_suppress: [
          { id: 'AwsSolutions-IAM5', reason: 'objects of one bucket', applies_to: ['Resource::<B.Arn>/*'] },
          { id: 'AwsSolutions-S1', reason: 'the log bucket' },
        ],
      },
      checkov: { skip: [{ id: 'CKV_AWS_18', comment: 'the log bucket' }] },
    });
    expect(scannerExceptions({ id: 'CKV_AWS_158', reason: 'r' })).toEqual({ checkov: { skip: [{ id: 'CKV_AWS_158', comment: 'r' }] } });
  });

  it('names values the way cdk-nag prints them in granular findings', () => {
    expect(nagValue(sub('${DatastoreBucket.Arn}/*'))).toBe('<DatastoreBucket.Arn>/*');
    expect(nagValue(sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*'))).toBe(
      'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*',
    );
    expect(nagValue(getAtt('Key', 'Arn'))).toBe('<Key.Arn>');
    expect(nagValue(ref('Queue'))).toBe('<Queue>');
    expect(nagValue('*')).toBe('*');
    expect(nagValue(join('', [getAtt('B', 'Arn'), '/*']))).toBe('<B.Arn>/*');
    // A Sub with a variable map: cdk-nag prints the array as JSON.
    expect(nagValue(sub('${Arn}/*', { Arn: getAtt('B', 'Arn') }))).toBe('["${Arn}/*",{"Arn":{"Fn::GetAtt":["B","Arn"]}}]');
  });

  it('lists the wildcards of Allow statements as IAM5 names them, sorted, without Deny statements', () => {
    expect(
      wildcardFindings([
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:Put*'], Resource: [getAtt('B', 'Arn'), sub('${B.Arn}/*')] },
        { Effect: 'Allow', Action: 'ec2:DescribeNetworkInterfaces', Resource: '*' },
        { Effect: 'Deny', Action: 's3:*', Resource: '*' },
      ]),
    ).toEqual(['Action::s3:Put*', 'Resource::*', 'Resource::<B.Arn>/*']);
    expect(wildcardFindings([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: ref('Queue') }])).toEqual([]);
  });
});

describe('wildcardException', () => {
  it("explains exactly the role's wildcard findings, and writes nothing (never a blanket suppression) when there are none", () => {
    const statements = [
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: sub('${B.Arn}/*') },
      { Effect: 'Deny', Action: 's3:*', Resource: '*' },
    ];
    expect(wildcardException(statements, 'why')).toEqual({
      cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason: 'why', applies_to: ['Resource::*', 'Resource::<B.Arn>/*'] }] },
    });
    expect(wildcardException([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: ref('Queue') }], 'why')).toBeUndefined();
  });
});
