/**
 * The created VPC's security defaults: flow logs, and a default security group with no rules.
 */
import {
  getAtt,
  logGroup,
  nagValue,
  ref,
  scannerExceptions as exceptions,
  serviceTrustPolicy,
  sub,
  writeLogsStatement,
  type CfnResource,
  type CfnValue,
} from '@mfinfra/core/plugin';
import type { NetworkIds } from './model.js';
import { DEFAULT_FLOW_LOG_RETENTION_DAYS, type FlowLogOptions } from './options.js';

/** The Lambda runtime of the default-security-group function (boto3 is built in). */
export const RESTRICT_FUNCTION_RUNTIME = 'python3.14';

const ANY_LOG_GROUP = sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*');

/** The VPC's flow log (records aggregated over 10 minutes), written to `destination`. */
function flowLog(ids: NetworkIds, trafficType: string, destination: { [key: string]: CfnValue }): CfnResource {
  return {
    Type: 'AWS::EC2::FlowLog',
    Properties: { ResourceId: ref(ids.vpc), ResourceType: 'VPC', TrafficType: trafficType, ...destination, MaxAggregationInterval: 600 },
  };
}

/** Flow logs of the VPC: to a CloudWatch Logs group of this stack (with a delivery role), or to S3. */
export function flowLogResources(ids: NetworkIds, options: FlowLogOptions): Record<string, CfnResource> {
  const trafficType = options.trafficType ?? 'ALL';
  if (options.s3BucketArn !== undefined) {
    return { [ids.flowLog]: flowLog(ids, trafficType, { LogDestinationType: 's3', LogDestination: options.s3BucketArn }) };
  }
  return {
    // Flow logs are evidence: they outlive the stack (and expire by their retention).
    [ids.flowLogGroup]: logGroup({
      retentionDays: options.retentionDays ?? DEFAULT_FLOW_LOG_RETENTION_DAYS,
      retain: true,
      metadata: exceptions(
        {
          id: 'CKV_AWS_158',
          reason:
            'CloudWatch Logs encrypts flow logs at rest with its own keys; a customer managed KMS key would add cost and a key policy to keep.',
        },
        {
          id: 'CKV_AWS_338',
          reason: 'Kept 30 days by default to keep an idle deployment cheap; network.create.flowLogs.retentionDays raises it.',
        },
      ),
    }),
    [ids.flowLogRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: exceptions({
        id: 'AwsSolutions-IAM5',
        appliesTo: [`Resource::${nagValue(ANY_LOG_GROUP)}`],
        reason:
          'logs:DescribeLogGroups has no resource-level scope finer than the log groups of this account and region (log-group:*); it reveals names only. Writing is limited to the flow log group.',
      }),
      Properties: {
        Description: 'Lets VPC Flow Logs write to the flow log group of this stack',
        AssumeRolePolicyDocument: serviceTrustPolicy('vpc-flow-logs.amazonaws.com', {
          sourceArnLike: sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*'),
        }),
        Policies: [
          {
            PolicyName: 'write-flow-logs',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'WriteFlowLogs',
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
                  Resource: getAtt(ids.flowLogGroup, 'Arn'),
                },
                {
                  Sid: 'FindTheLogGroup',
                  Effect: 'Allow',
                  Action: 'logs:DescribeLogGroups',
                  Resource: ANY_LOG_GROUP,
                },
              ],
            },
          },
        ],
      },
    },
    [ids.flowLog]: flowLog(ids, trafficType, {
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: ref(ids.flowLogGroup),
      DeliverLogsPermissionArn: getAtt(ids.flowLogRole, 'Arn'),
    }),
  };
}

/**
 * The function behind `Custom::RestrictDefaultSecurityGroup`. On create and update it revokes the
 * two rules EC2 puts in every new VPC's default security group (all inbound from the group itself,
 * all outbound to 0.0.0.0/0); on delete it puts them back, so turning the option off returns the
 * group to what AWS made. It always answers CloudFormation, so a failure fails the deploy instead of
 * hanging it for an hour.
 */
const RESTRICT_FUNCTION_CODE = `import json
import urllib.request

import boto3
from botocore.exceptions import ClientError

ec2 = boto3.client("ec2")


def default_rules(group):
    ingress = [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]}]
    egress = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    return ingress, egress


def apply(call, group, permissions, ignore):
    try:
        call(GroupId=group, IpPermissions=permissions)
    except ClientError as e:
        if e.response["Error"]["Code"] not in ignore:
            raise


def handler(event, context):
    group = event["ResourceProperties"].get("SecurityGroupId", "")
    status, reason = "SUCCESS", ""
    try:
        ingress, egress = default_rules(group)
        if event["RequestType"] == "Delete":
            ignore = ("InvalidPermission.Duplicate", "InvalidGroup.NotFound")
            apply(ec2.authorize_security_group_ingress, group, ingress, ignore)
            apply(ec2.authorize_security_group_egress, group, egress, ignore)
        else:
            ignore = ("InvalidPermission.NotFound",)
            apply(ec2.revoke_security_group_ingress, group, ingress, ignore)
            apply(ec2.revoke_security_group_egress, group, egress, ignore)
    except Exception as e:  # answer CloudFormation whatever happened
        print(f"{event['RequestType']} of {group} failed: {e}")
        if event["RequestType"] != "Delete":
            status, reason = "FAILED", str(e)[:900]
    body = json.dumps({
        "Status": status,
        "Reason": reason or f"see CloudWatch Logs stream {context.log_stream_name}",
        "PhysicalResourceId": group or event.get("PhysicalResourceId") or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    urllib.request.urlopen(request, timeout=30)
`;

/**
 * CloudFormation cannot manage a VPC's default security group (EC2 makes it with the VPC, and an
 * AWS::EC2::SecurityGroupIngress/Egress can only add rules), so a small custom resource removes its
 * rules at deploy time, as the CDK's `restrictDefaultSecurityGroup` does. It runs only when the
 * stack is deployed (a few invocations, within Lambda's free tier) and may touch this one group.
 */
export function restrictDefaultSecurityGroupResources(ids: NetworkIds): Record<string, CfnResource> {
  const groupArn = sub(`arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:security-group/\${${ids.vpc}.DefaultSecurityGroup}`);
  return {
    [ids.restrictDefaultSecurityGroupLogGroup]: logGroup({
      retentionDays: 14,
      retain: false,
      metadata: exceptions(
        {
          id: 'CKV_AWS_158',
          reason:
            'Holds only the deploy-time output of the default-security-group function; CloudWatch Logs encrypts it with its own keys.',
        },
        { id: 'CKV_AWS_338', reason: 'Deploy-time output of a one-shot function: two weeks is enough to debug a failed deploy.' },
      ),
    }),
    [ids.restrictDefaultSecurityGroupRole]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: "Lets the deploy-time function remove the rules of the VPC's default security group",
        AssumeRolePolicyDocument: serviceTrustPolicy('lambda.amazonaws.com'),
        Policies: [
          {
            PolicyName: 'restrict-default-security-group',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'ChangeTheDefaultSecurityGroupOnly',
                  Effect: 'Allow',
                  Action: [
                    'ec2:AuthorizeSecurityGroupEgress',
                    'ec2:AuthorizeSecurityGroupIngress',
                    'ec2:RevokeSecurityGroupEgress',
                    'ec2:RevokeSecurityGroupIngress',
                  ],
                  Resource: groupArn,
                },
                writeLogsStatement('WriteOwnLogs', ids.restrictDefaultSecurityGroupLogGroup),
              ],
            },
          },
        ],
      },
    },
    [ids.restrictDefaultSecurityGroupFunction]: {
      Type: 'AWS::Lambda::Function',
      Metadata: exceptions(
        {
          id: 'AwsSolutions-L1',
          reason: `${RESTRICT_FUNCTION_RUNTIME} is the newest Python runtime that cfn-lint (which every template must pass) knows; the code uses only the standard library and boto3.`,
        },
        {
          id: 'CKV_AWS_116',
          reason: 'Invoked synchronously by CloudFormation only; a failure fails the deploy, so there is nothing for a dead-letter queue.',
        },
        {
          id: 'CKV_AWS_117',
          reason: 'Calls only the EC2 API at deploy time and handles no data; outside a VPC it needs no NAT or endpoint.',
        },
        { id: 'CKV_AWS_115', reason: 'Runs a few times per deploy; reserving concurrency would only take it from the account pool.' },
        { id: 'CKV_AWS_173', reason: 'The function has no environment variables.' },
      ),
      Properties: {
        Description: "Removes the rules of the VPC's default security group at deploy time (mfinfra network plugin)",
        Runtime: RESTRICT_FUNCTION_RUNTIME,
        Handler: 'index.handler',
        Role: getAtt(ids.restrictDefaultSecurityGroupRole, 'Arn'),
        Timeout: 60,
        MemorySize: 128,
        LoggingConfig: { LogGroup: ref(ids.restrictDefaultSecurityGroupLogGroup) },
        Code: { ZipFile: RESTRICT_FUNCTION_CODE },
      },
    },
    [ids.restrictDefaultSecurityGroup]: {
      Type: 'Custom::RestrictDefaultSecurityGroup',
      Properties: {
        ServiceToken: getAtt(ids.restrictDefaultSecurityGroupFunction, 'Arn'),
        SecurityGroupId: getAtt(ids.vpc, 'DefaultSecurityGroup'),
      },
    },
  };
}
