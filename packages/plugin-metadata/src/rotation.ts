import {
  getAtt,
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
import { ID } from './ids.js';
import { functionLogGroup, LAMBDA_RUNTIME } from './migration.js';
import type { MetadataOptions } from './options.js';
import { ROTATION_CODE } from './rotationCode.js';

/** Seconds testSecret waits for RDS in one call (Secrets Manager retries the step after that). */
export const ROTATION_WAIT_SECONDS = 600;

/**
 * Rotation of the database's master password: a Secrets Manager rotation schedule on the existing
 * secret, and a function (outside the VPC: it calls only AWS APIs) that sets the new password with
 * RDS's ModifyDBInstance and then redeploys the ECS services that read the secret. Nothing about the
 * database resource or the secret changes, so turning rotation on or off never touches the data.
 */
export function rotationResources(ctx: PluginContext, options: MetadataOptions): Record<string, CfnResource> {
  const rotation = options.database.rotation;
  if (!rotation.enabled) return {};
  const name = ctx.naming.physicalName('metadata-db-rotation', { maxLength: 64 });
  const dbArn = sub(`arn:\${AWS::Partition}:rds:\${AWS::Region}:\${AWS::AccountId}:db:\${${ID.database}}`);
  const clusterServices = sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:service/\${${ID.cluster}}/*`);
  const statements: CfnValue[] = [
    {
      Sid: 'RotateTheDatabaseSecret',
      Effect: 'Allow',
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      Resource: ref(ID.databaseSecret),
    },
    { Sid: 'NewPassword', Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
    { Sid: 'SetMasterPassword', Effect: 'Allow', Action: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], Resource: dbArn },
    { Sid: 'SeePasswordApplied', Effect: 'Allow', Action: 'rds:DescribeEvents', Resource: '*' },
    {
      Sid: 'FindServicesReadingTheSecret',
      Effect: 'Allow',
      Action: 'ecs:ListServices',
      Resource: '*',
      Condition: { ArnEquals: { 'ecs:cluster': getAtt(ID.cluster, 'Arn') } },
    },
    { Sid: 'ReadTaskDefinitions', Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    { Sid: 'RedeployThoseServices', Effect: 'Allow', Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Resource: clusterServices },
    writeLogsStatement('WriteFunctionLogs', ID.rotationLogGroup),
  ];
  return {
    [ID.rotationLogGroup]: functionLogGroup(name, options),
    [ID.rotationRole]: {
      Type: 'AWS::IAM::Role',
      Metadata: wildcardException(
        statements,
        'secretsmanager:GetRandomPassword, rds:DescribeEvents, ecs:DescribeTaskDefinition and ecs:ListServices have no resource-level permissions (AWS requires "*"; ListServices is held to the metadata cluster by its ecs:cluster condition), and the services to redeploy are the ones in the metadata cluster that read this secret, found at rotation time (service/<cluster>/*). The secret and the database are named exactly.',
      ),
      Properties: {
        Description: 'Rotates the Metaflow metadata database master password and redeploys the services that read it',
        AssumeRolePolicyDocument: serviceTrustPolicy('lambda.amazonaws.com'),
        Policies: [{ PolicyName: 'metadata-db-rotation', PolicyDocument: policyDocument(statements) }],
      },
    },
    [ID.rotationFunction]: {
      Type: 'AWS::Lambda::Function',
      DependsOn: [ID.rotationLogGroup],
      Metadata: scannerExceptions(
        {
          id: 'CKV_AWS_116',
          reason:
            'Secrets Manager calls it synchronously and retries a failed step itself; a dead-letter queue would hold nothing to act on.',
        },
        {
          id: 'CKV_AWS_115',
          reason:
            'Runs four times per rotation (every 30 days by default); reserving concurrency would only take it from the account pool.',
        },
        {
          id: 'CKV_AWS_117',
          reason:
            'Calls only the Secrets Manager, RDS and ECS APIs, never the database, so it runs outside the VPC and needs no NAT or endpoints.',
        },
        {
          id: 'CKV_AWS_173',
          reason:
            'Its environment holds only the database instance and cluster names and a wait time, nothing secret; Lambda encrypts it at rest with its own key.',
        },
      ),
      Properties: {
        FunctionName: name,
        Description:
          'Secrets Manager rotation of the Metaflow metadata database master password (RDS ModifyDBInstance), then an ECS redeploy',
        Runtime: LAMBDA_RUNTIME,
        Handler: 'index.handler',
        Role: getAtt(ID.rotationRole, 'Arn'),
        Timeout: ROTATION_WAIT_SECONDS + 60,
        MemorySize: 128,
        Code: { ZipFile: ROTATION_CODE },
        Environment: {
          Variables: { DB_INSTANCE: ref(ID.database), CLUSTER: ref(ID.cluster), WAIT_SECONDS: String(ROTATION_WAIT_SECONDS) },
        },
      },
    },
    [ID.rotationPermission]: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: getAtt(ID.rotationFunction, 'Arn'),
        Action: 'lambda:InvokeFunction',
        Principal: 'secretsmanager.amazonaws.com',
        SourceAccount: ref('AWS::AccountId'),
        SourceArn: ref(ID.databaseSecret),
      },
    },
    [ID.rotationSchedule]: {
      Type: 'AWS::SecretsManager::RotationSchedule',
      // The secret must hold the database's address first (the attachment), and Secrets Manager must be allowed to call the function.
      DependsOn: [ID.databaseSecretAttachment, ID.rotationPermission],
      Properties: {
        SecretId: ref(ID.databaseSecret),
        RotationLambdaARN: getAtt(ID.rotationFunction, 'Arn'),
        RotationRules: { AutomaticallyAfterDays: rotation.days },
        // No rotation in the middle of a deploy: the first one runs on the schedule.
        RotateImmediatelyOnUpdate: false,
      },
    },
  };
}
