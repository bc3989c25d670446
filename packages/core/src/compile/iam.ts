/**
 * IAM documents several plugins' roles need (exported from `@mfinfra/core/plugin`).
 */
import type { CfnValue } from './cfnTypes.js';

export interface ServiceTrustOptions {
  /**
   * Also require `aws:SourceArn` to be like this ARN (e.g. `arn:...:vpc-flow-log/*`): the service
   * may assume the role only on behalf of those resources.
   */
  sourceArnLike?: CfnValue;
  /**
   * `false` leaves out the `aws:SourceAccount` condition, for service principals that do not send it
   * (an EC2 instance profile's `ec2.amazonaws.com`, Spot Fleet). Default: the condition is there.
   */
  sourceAccount?: false;
}

/**
 * The `AssumeRolePolicyDocument` that lets one AWS service assume a role, on behalf of this stack's
 * account only (the `aws:SourceAccount` condition guards against the confused deputy):
 * `serviceTrustPolicy('lambda.amazonaws.com')`.
 */
export function serviceTrustPolicy(service: string, options: ServiceTrustOptions = {}): CfnValue {
  const condition: { [key: string]: CfnValue } = {};
  if (options.sourceAccount !== false) condition.StringEquals = { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } };
  if (options.sourceArnLike !== undefined) condition.ArnLike = { 'aws:SourceArn': options.sourceArnLike };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(Object.keys(condition).length ? { Condition: condition } : {}),
      },
    ],
  };
}

/** An IAM policy document (`Version` 2012-10-17) holding these statements. */
export function policyDocument(statements: CfnValue[]): CfnValue {
  return { Version: '2012-10-17', Statement: statements };
}
