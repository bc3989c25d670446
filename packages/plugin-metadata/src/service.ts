import {
  getAtt,
  ref,
  scannerExceptions,
  sub,
  wildcardFindings,
  type CfnResource,
  type CfnValue,
  type PluginContext,
} from '@mfinfra/core/plugin';
import { DB_PORT } from './database.js';
import { CONTAINER_NAME, ID } from './ids.js';
import { MIGRATION_PORT, SERVICE_PORT, type MetadataOptions, type ResolvedSettings } from './options.js';
import type { NetworkApi } from './peerApis.js';

const ECR_IMAGE = /^(?<account>[0-9]{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(?<repo>[^:@]+)[:@]/;

/** The ECR repository an image comes from, when it is an ECR image. */
export function ecrRepository(image: string): { account: string; region: string; repo: string } | undefined {
  const m = ECR_IMAGE.exec(image);
  return m?.groups ? { account: m.groups.account!, region: m.groups.region!, repo: m.groups.repo! } : undefined;
}

/**
 * Why the root filesystem stays writable by default, from the default image's Dockerfile and
 * entrypoint (Netflix/metaflow-service; not run here: no container runtime was available).
 */
export const READ_ONLY_ROOT_REASON =
  "Off by default because the default image netflixoss/metaflow_metadata_service writes into its own code tree at every start: its entrypoint (services/migration_service/run_script.py) runs get_virtual_env.py, which asks the migration service which metadata service version to run and writes the answer to a config file beside the code, then reads it back. With a read-only root that write fails and the container exits; a volume over that directory would hide the image's own files there. metadata.container.readOnlyRootFilesystem: true is for images built to write only to /tmp.";

const ecsTasksTrust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    },
  ],
};

/**
 * The ECS side: cluster, log group, an execution role that may read only the database secret (and
 * write its own logs), an empty task role, the task definition, and a Fargate service registered
 * in both target groups with a rolling deployment that rolls back on failure.
 */
export function serviceResources(
  ctx: PluginContext,
  options: MetadataOptions,
  settings: ResolvedSettings,
  network: NetworkApi,
): Record<string, CfnResource> {
  const secretArn = ref(ID.databaseSecret);
  const logRetention = options.logs.retainOnDelete ? 'Retain' : 'Delete';
  const executionStatements: CfnValue[] = [
    {
      Sid: 'ReadDatabasePassword',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: secretArn,
    },
    {
      Sid: 'WriteServiceLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: getAtt(ID.logGroup, 'Arn'),
    },
  ];
  const ecr = ecrRepository(options.image);
  if (ecr) {
    executionStatements.push(
      // GetAuthorizationToken has no resource-level permissions (AWS requires "*").
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'PullServiceImage',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: sub(`arn:\${AWS::Partition}:ecr:${ecr.region}:${ecr.account}:repository/${ecr.repo}`),
      },
    );
  }
  const db = options.database;
  const environment: Record<string, CfnValue> = {
    MF_METADATA_DB_HOST: getAtt(ID.database, 'Endpoint.Address'),
    MF_METADATA_DB_NAME: db.name,
    MF_METADATA_DB_PORT: String(DB_PORT),
    MF_METADATA_DB_SSL_MODE: db.sslMode,
    MF_METADATA_DB_USER: db.username,
  };
  return {
    [ID.cluster]: {
      Type: 'AWS::ECS::Cluster',
      Properties: {
        ClusterName: ctx.naming.physicalName('metadata', { maxLength: 255 }),
        ClusterSettings: [{ Name: 'containerInsights', Value: options.containerInsights ? 'enabled' : 'disabled' }],
      },
    },
    [ID.logGroup]: {
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: logRetention,
      UpdateReplacePolicy: logRetention,
      Properties: { RetentionInDays: options.logs.retentionDays },
    },
    [ID.executionRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: wildcardFindings(executionStatements).length
        ? scannerExceptions({
            id: 'AwsSolutions-IAM5',
            reason:
              'ecr:GetAuthorizationToken has no resource-level permissions (AWS requires "*"); it only issues a registry login token, and image pulls are granted on the service image\'s repository alone.',
            appliesTo: wildcardFindings(executionStatements),
          })
        : undefined,
      Properties: {
        Description: 'Starts Metaflow metadata service tasks: reads the database secret and writes logs',
        AssumeRolePolicyDocument: ecsTasksTrust,
        Policies: [{ PolicyName: 'metadata-task-execution', PolicyDocument: { Version: '2012-10-17', Statement: executionStatements } }],
      },
    },
    [ID.taskRole]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: 'Role of the Metaflow metadata service containers (the service calls no AWS API)',
        AssumeRolePolicyDocument: ecsTasksTrust,
      },
    },
    [ID.taskDefinition]: {
      Type: 'AWS::ECS::TaskDefinition',
      Metadata: scannerExceptions(
        {
          id: 'AwsSolutions-ECS2',
          reason:
            'The environment holds only non-secret connection settings (database host, name, port, user, SSL mode) that the service image reads from MF_METADATA_DB_*; the password comes from Secrets Manager (Secrets), never from the environment.',
        },
        ...(options.container.readOnlyRootFilesystem
          ? []
          : [
              {
                id: 'CKV_AWS_336',
                reason: READ_ONLY_ROOT_REASON,
              },
            ]),
      ),
      Properties: {
        Family: ctx.naming.physicalName('metadata-service', { maxLength: 255 }),
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: String(options.cpu),
        Memory: String(options.memory),
        RuntimePlatform: { OperatingSystemFamily: 'LINUX', CpuArchitecture: 'X86_64' },
        ExecutionRoleArn: getAtt(ID.executionRole, 'Arn'),
        TaskRoleArn: getAtt(ID.taskRole, 'Arn'),
        Volumes: options.container.readOnlyRootFilesystem ? [{ Name: 'tmp' }] : undefined,
        ContainerDefinitions: [
          {
            Name: CONTAINER_NAME,
            Image: options.image,
            Essential: true,
            ...(options.container.readOnlyRootFilesystem
              ? {
                  ReadonlyRootFilesystem: true,
                  // With a read-only root, /tmp is the scratch space Python servers and libraries expect.
                  MountPoints: [{ SourceVolume: 'tmp', ContainerPath: '/tmp', ReadOnly: false }],
                }
              : {}),
            ...(options.container.user !== undefined ? { User: options.container.user } : {}),
            PortMappings: [
              { ContainerPort: SERVICE_PORT, Protocol: 'tcp' },
              { ContainerPort: MIGRATION_PORT, Protocol: 'tcp' },
            ],
            Environment: Object.entries(environment).map(([Name, Value]) => ({ Name, Value })),
            // The password reaches the container from Secrets Manager at start, never as text in the task definition.
            Secrets: [{ Name: 'MF_METADATA_DB_PSWD', ValueFrom: sub(`\${${ID.databaseSecret}}:password::`) }],
            LogConfiguration: {
              LogDriver: 'awslogs',
              Options: {
                'awslogs-group': ref(ID.logGroup),
                'awslogs-region': ref('AWS::Region'),
                'awslogs-stream-prefix': 'metadata',
              },
            },
          },
        ],
      },
    },
    [ID.service]: {
      Type: 'AWS::ECS::Service',
      // A service with a load balancer needs the target groups attached to it first.
      DependsOn: [ID.migrationListener, ID.serviceListener, ...network.dependsOn],
      Properties: {
        Cluster: ref(ID.cluster),
        TaskDefinition: ref(ID.taskDefinition),
        LaunchType: 'FARGATE',
        PlatformVersion: 'LATEST',
        DesiredCount: settings.desiredCount,
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        },
        HealthCheckGracePeriodSeconds: 60,
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: network.subnetIds,
            SecurityGroups: [getAtt(ID.serviceSecurityGroup, 'GroupId'), ...network.securityGroupIds],
            AssignPublicIp: network.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        LoadBalancers: [
          { ContainerName: CONTAINER_NAME, ContainerPort: SERVICE_PORT, TargetGroupArn: ref(ID.serviceTargetGroup) },
          { ContainerName: CONTAINER_NAME, ContainerPort: MIGRATION_PORT, TargetGroupArn: ref(ID.migrationTargetGroup) },
        ],
        EnableECSManagedTags: true,
        PropagateTags: 'SERVICE',
      },
    },
  };
}
