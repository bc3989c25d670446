/** ARNs and AWS action lists that several plugins' IAM policies need (exported from `@mfinfra/core/plugin`). */

/**
 * An ARN in the stack's own partition, region and account:
 * `stackArn('batch', 'job/*')` → `{ "Fn::Sub": "arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job/*" }`.
 */
export function stackArn(service: string, resource: string): { 'Fn::Sub': string } {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}` };
}

/**
 * CloudWatch Logs delivery actions, which Step Functions needs from whoever creates (or runs) a
 * state machine that logs its execution history. AWS documents they only work on `Resource: "*"`.
 */
export const LOG_DELIVERY_ACTIONS: string[] = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
];
