import { describe, expect, it } from 'vitest';
import { LOG_RETENTION_DAYS, logGroup, writeLogsStatement } from './logs.js';

describe('log groups', () => {
  it('keeps a retained group when the stack is deleted or the group replaced, and deletes one that is not', () => {
    expect(logGroup({ retentionDays: 30, retain: true })).toEqual({
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { RetentionInDays: 30 },
    });
    const named = logGroup({ retentionDays: 14, retain: false, name: '/aws/lambda/f', metadata: { checkov: { skip: [] } } });
    expect(named).toEqual({
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Metadata: { checkov: { skip: [] } },
      Properties: { LogGroupName: '/aws/lambda/f', RetentionInDays: 14 },
    });
    expect(Object.keys(named)).toEqual(['Type', 'DeletionPolicy', 'UpdateReplacePolicy', 'Metadata', 'Properties']);
  });

  it('lets a role write to one group only', () => {
    expect(writeLogsStatement('WriteOwnLogs', 'FnLogGroup')).toEqual({
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': ['FnLogGroup', 'Arn'] },
    });
  });

  it("lists CloudWatch Logs' retention periods, from a day to ten years, and cannot be changed by a plugin", () => {
    expect(LOG_RETENTION_DAYS[0]).toBe(1);
    expect(LOG_RETENTION_DAYS.at(-1)).toBe(3653);
    expect(LOG_RETENTION_DAYS).toContain(30);
    expect(Object.isFrozen(LOG_RETENTION_DAYS)).toBe(true);
  });
});
