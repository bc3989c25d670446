/** Logical ids of every resource the metadata plugin creates (stable: renaming one replaces it). */
export const ID = {
  databaseSecret: 'MetadataDatabaseSecret',
  databaseSecretAttachment: 'MetadataDatabaseSecretAttachment',
  databaseSubnetGroup: 'MetadataDatabaseSubnetGroup',
  databaseSecurityGroup: 'MetadataDatabaseSecurityGroup',
  databaseIngressFromService: 'MetadataDatabaseIngressFromService',
  database: 'MetadataDatabase',
  serviceSecurityGroup: 'MetadataServiceSecurityGroup',
  serviceIngressFromLoadBalancer: 'MetadataServiceIngressFromLoadBalancer',
  migrationIngressFromLoadBalancer: 'MetadataMigrationIngressFromLoadBalancer',
  loadBalancerSecurityGroup: 'MetadataLoadBalancerSecurityGroup',
  loadBalancerIngressFromBatch: 'MetadataLoadBalancerIngressFromBatch',
  loadBalancerMigrationIngressFromFunction: 'MetadataLoadBalancerMigrationIngressFromFunction',
  migrationSecurityGroup: 'MetadataMigrationSecurityGroup',
  migrationProbe: 'MetadataMigrationProbe',
  migrationProbeRole: 'MetadataMigrationProbeRole',
  migrationProbeLogGroup: 'MetadataMigrationProbeLogGroup',
  migrationRunner: 'MetadataMigrationRunner',
  migrationRunnerRole: 'MetadataMigrationRunnerRole',
  migrationRunnerLogGroup: 'MetadataMigrationRunnerLogGroup',
  rotationFunction: 'MetadataDatabaseRotationFunction',
  rotationRole: 'MetadataDatabaseRotationRole',
  rotationLogGroup: 'MetadataDatabaseRotationLogGroup',
  rotationPermission: 'MetadataDatabaseRotationPermission',
  rotationSchedule: 'MetadataDatabaseRotationSchedule',
  /** The custom resource that upgrades the schema when the image changes. */
  schemaMigration: 'MetadataSchemaMigration',
  loadBalancer: 'MetadataLoadBalancer',
  serviceTargetGroup: 'MetadataServiceTargetGroup',
  migrationTargetGroup: 'MetadataMigrationTargetGroup',
  serviceListener: 'MetadataServiceListener',
  migrationListener: 'MetadataMigrationListener',
  cluster: 'MetadataCluster',
  logGroup: 'MetadataLogGroup',
  executionRole: 'MetadataTaskExecutionRole',
  taskRole: 'MetadataTaskRole',
  taskDefinition: 'MetadataTaskDefinition',
  service: 'MetadataService',
  api: 'MetadataApi',
  vpcLink: 'MetadataApiVpcLink',
  proxyResource: 'MetadataApiProxyResource',
  proxyMethod: 'MetadataApiProxyMethod',
  /**
   * Followed by a content hash, so every API change makes a new deployment (replacing one is
   * harmless). Sorts after the methods it snapshots: moto creates resources in template order.
   */
  deploymentPrefix: 'MetadataApiRelease',
  stage: 'MetadataApiStage',
  apiKey: 'MetadataApiKey',
  usagePlan: 'MetadataApiUsagePlan',
  usagePlanKey: 'MetadataApiUsagePlanKey',
  requestValidator: 'MetadataApiRequestValidator',
  apiAccessLogGroup: 'MetadataApiAccessLogGroup',
  apiGatewayAccount: 'MetadataApiGatewayAccount',
  apiGatewayCloudWatchRole: 'MetadataApiGatewayCloudWatchRole',
  webAcl: 'MetadataApiWebAcl',
  webAclAssociation: 'MetadataApiWebAclAssociation',
} as const;

/** The container name in the task definition (also the load balancer's target). */
export const CONTAINER_NAME = 'metadata-service';

/** The API Gateway stage; the public URL ends in `/api/` as in Metaflow's official template. */
export const STAGE_NAME = 'api';
