/**
 * The IAM roles of the compute layer. None gets a *FullAccess policy or a wildcard action on
 * every resource: the job role is scoped to the datastore bucket; the EC2 instance, Spot Fleet and
 * Fargate execution roles use the narrow AWS-managed service-role policies made for them.
 * Roles are not given names, so one stack name can be deployed to several regions of an account.
 */
import {
  nagValue,
  scannerExceptions,
  sub,
  tagList,
  wildcardFindings,
  type CfnResource,
  type CfnValue,
  type PluginContext,
} from '@mfinfra/core/plugin';
import type { DatastoreApi, IamStatement } from '@mfinfra/plugin-datastore';

function trust(service: string): CfnValue {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  };
}

/** The stack tags as a tag list, or undefined when there are none (keeps the template small). */
export function stackTags(ctx: PluginContext): CfnValue | undefined {
  return Object.keys(ctx.stack.tags).length ? tagList(ctx.stack.tags) : undefined;
}

function awsManagedPolicy(name: string): CfnValue {
  return sub(`arn:\${AWS::Partition}:iam::aws:policy/${name}`);
}

/** cdk-nag's IAM4 finding for an AWS managed policy, with why the managed policy is the right one. */
function managedPolicyException(name: string, reason: string): { [key: string]: CfnValue } {
  return scannerExceptions({ id: 'AwsSolutions-IAM4', reason, appliesTo: [`Policy::${nagValue(awsManagedPolicy(name))}`] });
}

function actions(s: IamStatement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

/**
 * What Batch jobs may do: Metaflow's object read/write on the datastore (the datastore plugin's
 * statements), KMS use when the bucket is SSE-KMS (unless the datastore already grants it), and a
 * deny of presigned-URL S3 access (unless the datastore already denies it).
 */
export function jobRoleStatements(datastore: DatastoreApi): IamStatement[] {
  const statements = [...datastore.readWriteStatements()];
  const grantsKms = statements.some((s) => s.Effect === 'Allow' && actions(s).some((a) => a.startsWith('kms:')));
  if (datastore.kmsKeyArn !== undefined && !grantsKms) {
    statements.push({
      Sid: 'UseDatastoreKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: datastore.kmsKeyArn,
    });
  }
  const deniesPresigned = statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition ?? {}).includes('s3:authType'));
  if (!deniesPresigned) {
    statements.push({
      Sid: 'DenyPresignedUrls',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringNotEquals: { 's3:authType': 'REST-HEADER' } },
    });
  }
  return statements;
}

/** The role Metaflow's Batch jobs assume (METAFLOW_ECS_S3_ACCESS_IAM_ROLE). */
export function jobRole(ctx: PluginContext, datastore: DatastoreApi, managedPolicyArns: readonly string[] = []): CfnResource {
  const objects = wildcardFindings(datastore.readWriteStatements());
  return {
    Type: 'AWS::IAM::Role',
    Metadata: objects.length
      ? scannerExceptions({
          id: 'AwsSolutions-IAM5',
          reason:
            "Object keys of the Metaflow datastore bucket only: Metaflow writes content-addressed artifacts under keys it derives at run time, so the grant is on the bucket's objects (<bucket ARN>/*), never on other buckets or actions.",
          appliesTo: objects,
        })
      : undefined,
    Properties: {
      Description: `Role that Metaflow's AWS Batch jobs of stack ${ctx.stack.name} assume: read and write the Metaflow datastore`,
      AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com'),
      ManagedPolicyArns: managedPolicyArns.length ? [...managedPolicyArns] : undefined,
      Policies: [
        {
          PolicyName: 'metaflow-datastore',
          PolicyDocument: { Version: '2012-10-17', Statement: jobRoleStatements(datastore) as unknown as CfnValue[] },
        },
      ],
      Tags: stackTags(ctx),
    },
  };
}

/** The ECS container instance role of EC2 compute environments, and its instance profile. */
export function instanceRole(ctx: PluginContext): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Metadata: managedPolicyException(
      'service-role/AmazonEC2ContainerServiceforEC2Role',
      'The AWS-maintained policy for ECS container instances: what the ECS agent on Batch instances needs (register, poll, pull from ECR, write logs), updated by AWS as the agent changes; job containers cannot use it (IMDS hop limit 1).',
    ),
    Properties: {
      Description: `ECS container instance role of the AWS Batch EC2 compute environments of stack ${ctx.stack.name}`,
      AssumeRolePolicyDocument: trust('ec2.amazonaws.com'),
      ManagedPolicyArns: [awsManagedPolicy('service-role/AmazonEC2ContainerServiceforEC2Role')],
      Tags: stackTags(ctx),
    },
  };
}

export function instanceProfile(roleId: string): CfnResource {
  return { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: roleId }] } };
}

/** Needed only by Spot environments using BEST_FIT (the others use Batch's service-linked role). */
export function spotFleetRole(ctx: PluginContext): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Metadata: managedPolicyException(
      'service-role/AmazonEC2SpotFleetTaggingRole',
      'The AWS-maintained policy made for the Spot Fleet service role: request, tag and terminate Spot instances on behalf of Batch BEST_FIT environments.',
    ),
    Properties: {
      Description: `Spot Fleet role of the BEST_FIT Spot compute environments of stack ${ctx.stack.name}`,
      AssumeRolePolicyDocument: trust('spotfleet.amazonaws.com'),
      ManagedPolicyArns: [awsManagedPolicy('service-role/AmazonEC2SpotFleetTaggingRole')],
      Tags: stackTags(ctx),
    },
  };
}

/** The execution role of Fargate jobs (METAFLOW_ECS_FARGATE_EXECUTION_ROLE): pull images, write logs. */
export function fargateExecutionRole(ctx: PluginContext): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Metadata: managedPolicyException(
      'service-role/AmazonECSTaskExecutionRolePolicy',
      'The AWS-maintained task execution policy: pull the job image from ECR and write its logs to CloudWatch Logs, nothing else; job code never holds this role.',
    ),
    Properties: {
      Description: `Execution role of Metaflow's AWS Batch Fargate jobs of stack ${ctx.stack.name}: pull images, write logs`,
      AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com'),
      ManagedPolicyArns: [awsManagedPolicy('service-role/AmazonECSTaskExecutionRolePolicy')],
      Tags: stackTags(ctx),
    },
  };
}
