import {
  getAtt,
  logGroup,
  policyDocument,
  ref,
  serviceTrustPolicy,
  sub,
  wildcardException,
  writeLogsStatement,
  type CfnResource,
  type CfnValue,
  type PluginContext,
} from '@mfinfra/core/plugin';
import { ID } from './ids.js';
import { PROBE_CODE, RUNNER_CODE } from './migrationCode.js';
import { MIGRATION_PORT, type MetadataOptions } from './options.js';
import type { NetworkApi } from './peerApis.js';

/** The newest Node.js Lambda runtime (cdk-nag AwsSolutions-L1); the inline code uses only the runtime's built-in AWS SDK v3. */
export const LAMBDA_RUNTIME = 'nodejs24.x';

/** Seconds the runner may wait for the pre-upgrade snapshot (the function itself may run 900). */
export const SNAPSHOT_WAIT_SECONDS = 600;

const lambdaTrust = serviceTrustPolicy('lambda.amazonaws.com');

/** The log group of one of the functions (named as Lambda names it, so the function writes there). */
export function functionLogGroup(functionName: string, options: MetadataOptions): CfnResource {
  return logGroup({ name: `/aws/lambda/${functionName}`, retentionDays: options.logs.retentionDays, retain: options.logs.retainOnDelete });
}

/**
 * Database migrations that run themselves: a probe function in the VPC (its security group is the
 * only source allowed on the load balancer's port 8082), a runner function that backs up and
 * upgrades, and a custom resource that calls the runner whenever the service image changes, after
 * the service runs the new image.
 */
export function migrationResources(ctx: PluginContext, options: MetadataOptions, network: NetworkApi): Record<string, CfnResource> {
  const probeName = ctx.naming.physicalName('metadata-migration-probe', { maxLength: 64 });
  const runnerName = ctx.naming.physicalName('metadata-migration', { maxLength: 64 });
  const dbArn = sub(`arn:\${AWS::Partition}:rds:\${AWS::Region}:\${AWS::AccountId}:db:\${${ID.database}}`);
  const snapshotArn = sub(`arn:\${AWS::Partition}:rds:\${AWS::Region}:\${AWS::AccountId}:snapshot:\${${ID.database}}-pre-migration-*`);
  const runnerStatements: CfnValue[] = [
    { Sid: 'AskTheProbe', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(ID.migrationProbe, 'Arn') },
    { Sid: 'CheckBackups', Effect: 'Allow', Action: 'rds:DescribeDBInstances', Resource: dbArn },
    {
      Sid: 'RestartServiceOnNewSchema',
      Effect: 'Allow',
      Action: 'ecs:UpdateService',
      Resource: ref(ID.service),
    },
    writeLogsStatement('WriteFunctionLogs', ID.migrationRunnerLogGroup),
  ];
  if (options.migrations.backup === 'snapshot') {
    runnerStatements.splice(
      2,
      0,
      {
        Sid: 'SnapshotBeforeUpgrade',
        Effect: 'Allow',
        Action: ['rds:AddTagsToResource', 'rds:CreateDBSnapshot'],
        Resource: [dbArn, snapshotArn],
      },
      { Sid: 'WaitForSnapshot', Effect: 'Allow', Action: 'rds:DescribeDBSnapshots', Resource: [dbArn, snapshotArn] },
    );
  }
  const probeStatements: CfnValue[] = [
    {
      // What a function in a VPC needs for its network interfaces; EC2 offers no narrower
      // resource for Describe*, and Lambda manages the interfaces' names.
      Sid: 'VpcNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:AssignPrivateIpAddresses',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    },
    writeLogsStatement('WriteFunctionLogs', ID.migrationProbeLogGroup),
  ];
  return {
    [ID.migrationSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `Metaflow metadata migration function: the only client of port ${MIGRATION_PORT} (stack ${ctx.stack.name})`,
        VpcId: network.vpcId,
        SecurityGroupEgress: [
          {
            IpProtocol: 'tcp',
            FromPort: MIGRATION_PORT,
            ToPort: MIGRATION_PORT,
            DestinationSecurityGroupId: getAtt(ID.loadBalancerSecurityGroup, 'GroupId'),
            Description: 'Migration service through the metadata load balancer',
          },
        ],
      },
    },
    [ID.loadBalancerMigrationIngressFromFunction]: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: getAtt(ID.loadBalancerSecurityGroup, 'GroupId'),
        IpProtocol: 'tcp',
        FromPort: MIGRATION_PORT,
        ToPort: MIGRATION_PORT,
        SourceSecurityGroupId: getAtt(ID.migrationSecurityGroup, 'GroupId'),
        Description: 'Migration service from the migration function only',
      },
    },
    [ID.migrationProbeLogGroup]: functionLogGroup(probeName, options),
    [ID.migrationRunnerLogGroup]: functionLogGroup(runnerName, options),
    [ID.migrationProbeRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: wildcardException(
        probeStatements,
        'A Lambda function in a VPC needs ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DeleteNetworkInterface and Assign/UnassignPrivateIpAddresses on "*" (the AWSLambdaVPCAccessExecutionRole grant): Lambda creates the interfaces under ids nobody knows in advance and Describe* has no resource-level permissions. The role has nothing else but its own log group.',
      ),
      Properties: {
        Description: 'Metaflow metadata migration probe: network interfaces in the VPC and its own logs',
        AssumeRolePolicyDocument: lambdaTrust,
        Policies: [{ PolicyName: 'metadata-migration-probe', PolicyDocument: policyDocument(probeStatements) }],
      },
    },
    [ID.migrationRunnerRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: wildcardException(
        runnerStatements,
        'The pre-upgrade snapshot is named <database>-pre-migration-<time> when the upgrade runs, so its name is known only as this prefix; the grant covers snapshots of this one database under that prefix (create, tag, describe), nothing else.',
      ),
      Properties: {
        Description: 'Metaflow metadata migration runner: asks the probe, backs up the database, restarts the service',
        AssumeRolePolicyDocument: lambdaTrust,
        Policies: [{ PolicyName: 'metadata-migration', PolicyDocument: policyDocument(runnerStatements) }],
      },
    },
    [ID.migrationProbe]: {
      Type: 'AWS::Lambda::Function',
      DependsOn: [ID.migrationProbeLogGroup, ...network.dependsOn],
      Properties: {
        FunctionName: probeName,
        Description: `GET /db_schema_status and PATCH /upgrade on the metadata migration service (port ${MIGRATION_PORT})`,
        Runtime: LAMBDA_RUNTIME,
        Handler: 'index.handler',
        Role: getAtt(ID.migrationProbeRole, 'Arn'),
        Timeout: 900,
        MemorySize: 128,
        Code: { ZipFile: PROBE_CODE },
        Environment: { Variables: { MIGRATION_URL: sub(`http://\${${ID.loadBalancer}.DNSName}:${MIGRATION_PORT}`) } },
        VpcConfig: { SubnetIds: network.subnetIds, SecurityGroupIds: [getAtt(ID.migrationSecurityGroup, 'GroupId')] },
      },
    },
    [ID.migrationRunner]: {
      Type: 'AWS::Lambda::Function',
      DependsOn: [ID.migrationRunnerLogGroup],
      Properties: {
        FunctionName: runnerName,
        Description: 'Upgrades the Metaflow metadata database schema after a backup when the service image changes',
        Runtime: LAMBDA_RUNTIME,
        Handler: 'index.handler',
        Role: getAtt(ID.migrationRunnerRole, 'Arn'),
        Timeout: 900,
        MemorySize: 256,
        Code: { ZipFile: RUNNER_CODE },
        Environment: {
          Variables: {
            PROBE_FUNCTION: ref(ID.migrationProbe),
            DB_INSTANCE: ref(ID.database),
            BACKUP: options.migrations.backup,
            CLUSTER: ref(ID.cluster),
            SERVICE: getAtt(ID.service, 'Name'),
            SNAPSHOT_WAIT_SECONDS: String(SNAPSHOT_WAIT_SECONDS),
          },
        },
      },
    },
    [ID.schemaMigration]: {
      Type: 'Custom::MetadataSchemaMigration',
      // Runs after the service runs the new image, whose migration service knows the new schema.
      DependsOn: [ID.service, ID.migrationIngressFromLoadBalancer, ID.loadBalancerMigrationIngressFromFunction, ID.migrationListener],
      Properties: {
        ServiceToken: getAtt(ID.migrationRunner, 'Arn'),
        // A new image is the only change that calls the runner again (CloudFormation sends Update).
        Image: options.image,
        Backup: options.migrations.backup,
      },
    },
  };
}
