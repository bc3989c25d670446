import {
  awsLogsConfiguration,
  containerEnvironment,
  ecrPullStatements,
  ecrRepositoryArn,
  fargateService,
  fargateTaskDefinition,
  getAtt,
  logGroup,
  policyDocument,
  ref,
  scannerExceptions,
  serviceTrustPolicy,
  sub,
  wildcardException,
  writeLogsStatement,
  type CfnResource,
  type CfnValue,
  type PluginContext,
} from '@mfinfra/core/plugin';
import { DB_PORT } from './database.js';
import { CONTAINER_NAME, ID } from './ids.js';
import { MIGRATION_PORT, SERVICE_PORT, type MetadataOptions, type ResolvedSettings } from './options.js';
import type { NetworkApi } from './peerApis.js';

/**
 * Why the root filesystem stays writable by default, from the default image's Dockerfile and
 * entrypoint (Netflix/metaflow-service; not run here: no container runtime was available).
 */
export const READ_ONLY_ROOT_REASON =
  "Off by default because the default image netflixoss/metaflow_metadata_service writes into its own code tree at every start: its entrypoint (services/migration_service/run_script.py) runs get_virtual_env.py, which asks the migration service which metadata service version to run and writes the answer to a config file beside the code, then reads it back. With a read-only root that write fails and the container exits; a volume over that directory would hide the image's own files there. metadata.container.readOnlyRootFilesystem: true is for images built to write only to /tmp.";

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
  const ecsTasksTrust = serviceTrustPolicy('ecs-tasks.amazonaws.com');
  const executionStatements: CfnValue[] = [
    {
      Sid: 'ReadDatabasePassword',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: ref(ID.databaseSecret),
    },
    writeLogsStatement('WriteServiceLogs', ID.logGroup),
  ];
  const imageRepository = ecrRepositoryArn(options.image);
  if (imageRepository) executionStatements.push(...ecrPullStatements('PullServiceImage', imageRepository));
  const db = options.database;
  const environment: Record<string, CfnValue> = {
    MF_METADATA_DB_HOST: getAtt(ID.database, 'Endpoint.Address'),
    MF_METADATA_DB_NAME: db.name,
    MF_METADATA_DB_PORT: String(DB_PORT),
    MF_METADATA_DB_SSL_MODE: db.sslMode,
    MF_METADATA_DB_USER: db.username,
  };
  const readOnlyRoot = options.container.readOnlyRootFilesystem;
  return {
    [ID.cluster]: {
      Type: 'AWS::ECS::Cluster',
      Properties: {
        ClusterName: ctx.naming.physicalName('metadata', { maxLength: 255 }),
        ClusterSettings: [{ Name: 'containerInsights', Value: options.containerInsights ? 'enabled' : 'disabled' }],
      },
    },
    [ID.logGroup]: logGroup({ retentionDays: options.logs.retentionDays, retain: options.logs.retainOnDelete }),
    [ID.executionRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: wildcardException(
        executionStatements,
        'ecr:GetAuthorizationToken has no resource-level permissions (AWS requires "*"); it only issues a registry login token, and image pulls are granted on the service image\'s repository alone.',
      ),
      Properties: {
        Description: 'Starts Metaflow metadata service tasks: reads the database secret and writes logs',
        AssumeRolePolicyDocument: ecsTasksTrust,
        Policies: [{ PolicyName: 'metadata-task-execution', PolicyDocument: policyDocument(executionStatements) }],
      },
    },
    [ID.taskRole]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: 'Role of the Metaflow metadata service containers (the service calls no AWS API)',
        AssumeRolePolicyDocument: ecsTasksTrust,
      },
    },
    [ID.taskDefinition]: fargateTaskDefinition({
      metadata: scannerExceptions(
        {
          id: 'AwsSolutions-ECS2',
          reason:
            'The environment holds only non-secret connection settings (database host, name, port, user, SSL mode) that the service image reads from MF_METADATA_DB_*; the password comes from Secrets Manager (Secrets), never from the environment.',
        },
        ...(readOnlyRoot ? [] : [{ id: 'CKV_AWS_336', reason: READ_ONLY_ROOT_REASON }]),
      ),
      family: ctx.naming.physicalName('metadata-service', { maxLength: 255 }),
      cpu: options.cpu,
      memory: options.memory,
      executionRole: ID.executionRole,
      taskRole: ID.taskRole,
      volumes: readOnlyRoot ? [{ Name: 'tmp' }] : undefined,
      containers: [
        {
          Name: CONTAINER_NAME,
          Image: options.image,
          Essential: true,
          ...(readOnlyRoot
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
          Environment: containerEnvironment(environment),
          // The password reaches the container from Secrets Manager at start, never as text in the task definition.
          Secrets: [{ Name: 'MF_METADATA_DB_PSWD', ValueFrom: sub(`\${${ID.databaseSecret}}:password::`) }],
          LogConfiguration: awsLogsConfiguration(ID.logGroup, 'metadata'),
        },
      ],
    }),
    // A service with a load balancer needs the target groups attached to it first.
    [ID.service]: fargateService({
      cluster: ref(ID.cluster),
      taskDefinition: ID.taskDefinition,
      desiredCount: settings.desiredCount,
      healthCheckGracePeriodSeconds: 60,
      dependsOn: [ID.migrationListener, ID.serviceListener, ...network.dependsOn],
      network,
      securityGroup: ID.serviceSecurityGroup,
      loadBalancers: [
        { container: CONTAINER_NAME, port: SERVICE_PORT, targetGroup: ID.serviceTargetGroup },
        { container: CONTAINER_NAME, port: MIGRATION_PORT, targetGroup: ID.migrationTargetGroup },
      ],
    }),
  };
}
