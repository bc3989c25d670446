import {
  awsLogsConfiguration,
  containerEnvironment,
  ecrPullStatements,
  ecrRepositoryArn,
  fargateService,
  fargateTaskDefinition,
  join,
  logGroup,
  policyDocument,
  scannerExceptions,
  serviceTrustPolicy,
  sub,
  wildcardException,
  writeLogsStatement,
  type CfnResource,
  type CfnValue,
  type PluginContext,
} from '@mfinfra/core/plugin';
import { BACKEND_CONTAINER, ID, STATIC_CONTAINER } from './ids.js';
import { BACKEND_PORT, STATIC_PORT, type UiOptions } from './options.js';
import type { DatastoreApi, MetadataApi, NetworkApi } from './peerApis.js';

const ecsTasksTrust = serviceTrustPolicy('ecs-tasks.amazonaws.com');

/** Pulls from the ECR repositories among the images (none when no image is from ECR). */
function ecrPulls(images: string[]): CfnValue[] {
  const repos = images.flatMap((image) => ecrRepositoryArn(image) ?? []);
  return repos.length ? ecrPullStatements('PullUiImages', repos) : [];
}

const ECR_LOGIN_REASON =
  'ecr:GetAuthorizationToken has no resource-level permissions (AWS requires "*"); it only issues a registry login token, and image pulls are granted on the named repositories alone.';

/** A service in the metadata cluster, registered in one target group. */
function service(
  taskDefinition: string,
  targetGroup: string,
  container: string,
  port: number,
  desiredCount: number,
  dependsOn: string,
  metadata: MetadataApi,
  network: NetworkApi,
): CfnResource {
  return fargateService({
    cluster: metadata.cluster.name,
    taskDefinition,
    desiredCount,
    healthCheckGracePeriodSeconds: 120,
    // A service with a load balancer needs its target group attached to a listener first.
    dependsOn: [dependsOn, ...network.dependsOn],
    network,
    securityGroup: ID.serviceSecurityGroup,
    loadBalancers: [{ container, port, targetGroup }],
  });
}

/**
 * The two Fargate services in the metadata cluster: the UI backend (the metadata service image run
 * as the UI server, reading the database and the datastore) and the static UI. One execution role
 * (database secret, logs, ECR pulls), a read-only datastore role for the backend, an empty role for
 * the static UI. `backendImage` is the model's (`ui.backend.image`, else the metadata service's).
 */
export function serviceResources(
  ctx: PluginContext,
  options: UiOptions,
  network: NetworkApi,
  datastore: DatastoreApi,
  metadata: MetadataApi,
  backendImage: string,
): Record<string, CfnResource> {
  const db = metadata.database;
  // Joined (not a Sub variable map) so rule packs name it <DatastoreBucket.Arn>/* in findings.
  const objectsArn = join('', [datastore.bucketArn, '/*']);
  const backendStatements: CfnValue[] = [
    { Sid: 'ListDatastore', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: datastore.bucketArn },
    { Sid: 'ReadDatastore', Effect: 'Allow', Action: 's3:GetObject', Resource: objectsArn },
    {
      // The UI reads artifacts with signed requests only: refuse presigned-URL (query string) access.
      Sid: 'DenyPresignedDatastoreAccess',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: [datastore.bucketArn, objectsArn],
      Condition: { StringNotEquals: { 's3:authType': 'REST-HEADER' } },
    },
  ];
  if (datastore.kmsKeyArn !== undefined) {
    backendStatements.push({ Sid: 'DecryptDatastore', Effect: 'Allow', Action: 'kms:Decrypt', Resource: datastore.kmsKeyArn });
  }
  const environment: Record<string, CfnValue> = {
    MF_METADATA_DB_HOST: db.host,
    MF_METADATA_DB_NAME: db.name,
    MF_METADATA_DB_PORT: String(db.port),
    MF_METADATA_DB_SSL_MODE: db.sslMode,
    MF_METADATA_DB_USER: db.username,
    UI_ENABLED: '1',
    PATH_PREFIX: '/api/',
    MF_DATASTORE_ROOT: datastore.sysroot,
    METAFLOW_DATASTORE_SYSROOT_S3: datastore.sysroot,
    METAFLOW_DEFAULT_DATASTORE: 's3',
    METAFLOW_DEFAULT_METADATA: 'service',
    METAFLOW_SERVICE_URL: `http://localhost:${BACKEND_PORT}/api/metadata`,
    LOGLEVEL: 'INFO',
  };
  const executionStatements: CfnValue[] = [
    { Sid: 'ReadDatabasePassword', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: db.secretArn },
    writeLogsStatement('WriteUiLogs', ID.logGroup),
    ...ecrPulls([backendImage, options.staticUi.image]),
  ];
  return {
    [ID.logGroup]: logGroup({ retentionDays: options.logs.retentionDays, retain: options.logs.retainOnDelete }),
    [ID.executionRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: wildcardException(executionStatements, ECR_LOGIN_REASON),
      Properties: {
        Description: 'Starts Metaflow UI tasks: reads the metadata database secret, writes logs, pulls images',
        AssumeRolePolicyDocument: ecsTasksTrust,
        Policies: [{ PolicyName: 'ui-task-execution', PolicyDocument: policyDocument(executionStatements) }],
      },
    },
    [ID.backendTaskRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: wildcardException(
        backendStatements,
        "Object keys of the Metaflow datastore bucket only, read-only: the UI shows artifacts and logs under keys Metaflow derives at run time, so the grant is s3:GetObject on that one bucket's objects (<bucket ARN>/*), never other buckets or write actions.",
      ),
      Properties: {
        Description: 'Role of the Metaflow UI backend: reads the datastore',
        AssumeRolePolicyDocument: ecsTasksTrust,
        Policies: [{ PolicyName: 'ui-read-datastore', PolicyDocument: policyDocument(backendStatements) }],
      },
    },
    [ID.staticTaskRole]: {
      Type: 'AWS::IAM::Role',
      Properties: { Description: 'Role of the Metaflow static UI (calls no AWS API)', AssumeRolePolicyDocument: ecsTasksTrust },
    },
    [ID.backendTaskDefinition]: fargateTaskDefinition({
      metadata: scannerExceptions(
        {
          id: 'AwsSolutions-ECS2',
          reason:
            'The environment holds only non-secret settings (database host, name, port, user and SSL mode, the datastore root, log level) that the service image reads from MF_METADATA_DB_* and METAFLOW_*; the database password comes from Secrets Manager (Secrets), never from the environment.',
        },
        {
          id: 'CKV_AWS_336',
          reason:
            "Writable root filesystem: the backend runs the metadata service image, which keeps its code under /root (readable by root only, so it also runs as the image's root user) and keeps its artifact, DAG and log caches on the root filesystem (it sizes them from shutil.disk_usage('/'): the task's ephemeral storage); the task has no AWS access beyond reading the datastore.",
        },
      ),
      family: ctx.naming.physicalName('ui-backend', { maxLength: 255 }),
      cpu: options.backend.cpu,
      memory: options.backend.memory,
      ephemeralStorageGiB: options.backend.ephemeralStorageGiB,
      executionRole: ID.executionRole,
      taskRole: ID.backendTaskRole,
      containers: [
        {
          Name: BACKEND_CONTAINER,
          Image: backendImage,
          Essential: true,
          Command: ['/opt/latest/bin/python3', '-m', 'services.ui_backend_service.ui_server'],
          PortMappings: [{ ContainerPort: BACKEND_PORT, Protocol: 'tcp' }],
          Environment: containerEnvironment(environment),
          // The password reaches the container from Secrets Manager at start, never as text in the task definition.
          Secrets: [{ Name: 'MF_METADATA_DB_PSWD', ValueFrom: sub('${Secret}:password::', { Secret: db.secretArn }) }],
          LogConfiguration: awsLogsConfiguration(ID.logGroup, 'ui-backend'),
        },
      ],
    }),
    [ID.staticTaskDefinition]: fargateTaskDefinition({
      metadata: scannerExceptions({
        id: 'CKV_AWS_336',
        reason:
          'Writable root filesystem: not verified with the static UI image (no container runtime was available to see which paths its web server writes at start), so a read-only root is not risked on a UI that might not start; its role has no permissions at all and it is reachable only through the authenticating load balancer.',
      }),
      family: ctx.naming.physicalName('ui-static', { maxLength: 255 }),
      cpu: options.staticUi.cpu,
      memory: options.staticUi.memory,
      executionRole: ID.executionRole,
      taskRole: ID.staticTaskRole,
      containers: [
        {
          Name: STATIC_CONTAINER,
          Image: options.staticUi.image,
          Essential: true,
          PortMappings: [{ ContainerPort: STATIC_PORT, Protocol: 'tcp' }],
          LogConfiguration: awsLogsConfiguration(ID.logGroup, 'ui-static'),
        },
      ],
    }),
    [ID.backendService]: service(
      ID.backendTaskDefinition,
      ID.backendTargetGroup,
      BACKEND_CONTAINER,
      BACKEND_PORT,
      options.backend.desiredCount,
      ID.backendRule,
      metadata,
      network,
    ),
    [ID.staticService]: service(
      ID.staticTaskDefinition,
      ID.staticTargetGroup,
      STATIC_CONTAINER,
      STATIC_PORT,
      options.staticUi.desiredCount,
      ID.listener,
      metadata,
      network,
    ),
  };
}
