import { getAtt, ref, scannerExceptions, sub, type CfnResource, type PluginContext } from '@mfinfra/core/plugin';
import { ID } from './ids.js';
import type { MetadataOptions, ResolvedSettings } from './options.js';
import type { NetworkApi } from './peerApis.js';

export const DB_PORT = 5432;

/**
 * The database: a generated master password in Secrets Manager, a subnet group in the workload
 * subnets, a security group open on 5432 only to the service's security group, and an encrypted,
 * private PostgreSQL instance kept as a snapshot when deleted or replaced.
 */
export function databaseResources(
  ctx: PluginContext,
  options: MetadataOptions,
  settings: ResolvedSettings,
  network: NetworkApi,
): Record<string, CfnResource> {
  const db = options.database;
  return {
    [ID.databaseSecret]: {
      Type: 'AWS::SecretsManager::Secret',
      // The snapshot kept on delete still needs this password.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Metadata: db.rotation.enabled
        ? undefined
        : scannerExceptions({
            id: 'AwsSolutions-SMG4',
            reason:
              'Rotation is turned off in the manifest (metadata.database.rotation.enabled: false): the password changes only when someone sets a new one with RDS (modify-db-instance --master-user-password), stores it in this secret, and redeploys the services that read it (aws ecs update-service --force-new-deployment).',
          }),
      Properties: {
        Description: `Master credentials of the Metaflow metadata database (stack ${ctx.stack.name})`,
        GenerateSecretString: {
          SecretStringTemplate: JSON.stringify({ username: db.username }),
          GenerateStringKey: 'password',
          PasswordLength: 32,
          // Letters and digits only: the service builds a libpq connection string from it.
          ExcludePunctuation: true,
          RequireEachIncludedType: true,
        },
      },
    },
    [ID.databaseSubnetGroup]: {
      Type: 'AWS::RDS::DBSubnetGroup',
      Properties: {
        DBSubnetGroupDescription: `Metaflow metadata database subnets (stack ${ctx.stack.name})`,
        SubnetIds: network.subnetIds,
      },
    },
    [ID.databaseSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'Metaflow metadata database: PostgreSQL from the metadata service only',
        VpcId: network.vpcId,
        // No outbound traffic: the database never initiates connections.
        SecurityGroupEgress: [
          { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32', Description: 'Disallow all outbound traffic' },
        ],
      },
    },
    [ID.databaseIngressFromService]: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: getAtt(ID.databaseSecurityGroup, 'GroupId'),
        IpProtocol: 'tcp',
        FromPort: DB_PORT,
        ToPort: DB_PORT,
        SourceSecurityGroupId: getAtt(ID.serviceSecurityGroup, 'GroupId'),
        Description: 'PostgreSQL from the metadata service',
      },
    },
    [ID.database]: {
      Type: 'AWS::RDS::DBInstance',
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Metadata: scannerExceptions(
        {
          id: 'AwsSolutions-RDS11',
          reason:
            'The default PostgreSQL port: only the metadata service security group may reach it and the instance is never public, so a non-standard port would hide nothing; the service and every PostgreSQL tool assume 5432.',
        },
        ...(settings.multiAz
          ? []
          : [
              {
                id: 'AwsSolutions-RDS3',
                reason:
                  'Single-AZ by choice of the manifest (profile development or database.multiAz: false) to halve the database cost; backups and the snapshot on delete still protect the data. profile production (the default) is Multi-AZ.',
              },
            ]),
        ...(db.deletionProtection
          ? []
          : [
              {
                id: 'AwsSolutions-RDS10',
                reason: 'Deletion protection is turned off in the manifest (database.deletionProtection: false).',
              },
            ]),
      ),
      Properties: {
        Engine: 'postgres',
        EngineVersion: db.engineVersion,
        DBInstanceClass: db.instanceClass,
        DBName: db.name,
        Port: String(DB_PORT),
        MasterUsername: db.username,
        MasterUserPassword: sub(`{{resolve:secretsmanager:\${${ID.databaseSecret}}:SecretString:password}}`),
        StorageType: 'gp3',
        AllocatedStorage: String(db.allocatedStorage),
        MaxAllocatedStorage: db.maxAllocatedStorage,
        StorageEncrypted: true,
        KmsKeyId: db.kmsKeyArn,
        MultiAZ: settings.multiAz,
        PubliclyAccessible: false,
        DBSubnetGroupName: ref(ID.databaseSubnetGroup),
        VPCSecurityGroups: [getAtt(ID.databaseSecurityGroup, 'GroupId')],
        BackupRetentionPeriod: settings.backupRetentionDays,
        DeleteAutomatedBackups: false,
        CopyTagsToSnapshot: true,
        DeletionProtection: db.deletionProtection,
        AutoMinorVersionUpgrade: true,
        // RDS creates the log groups /aws/rds/instance/<id>/{postgresql,upgrade} (kept until removed).
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      },
    },
    [ID.databaseSecretAttachment]: {
      Type: 'AWS::SecretsManager::SecretTargetAttachment',
      Properties: {
        SecretId: ref(ID.databaseSecret),
        TargetId: ref(ID.database),
        TargetType: 'AWS::RDS::DBInstance',
      },
    },
  };
}
