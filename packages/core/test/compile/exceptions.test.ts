import { describe, expect, it } from 'vitest';
import { getAtt, nagValue, ref, scannerExceptions, sub } from '../../src/plugin.js';

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
  });
});
