import {
  definePlugin,
  getAtt,
  ref,
  serviceTrustPolicy,
  sub,
  wildcardException,
  type CfnResource,
  type CfnValue,
  type Naming,
} from '@mfinfra/core/plugin';
import { defaults, schema, type NotebookOptions } from './options.js';
import type { AccessApi, BatchApi, DatastoreApi, MetadataApi, NetworkApi, SchedulingApi, UiApi } from './peerApis.js';
import { VERSION } from './version.js';
import { starter } from './starter.js';

/** Logical ids (stable: renaming one replaces it). */
export const ID = {
  securityGroup: 'NotebookSecurityGroup',
  key: 'NotebookVolumeKey',
  role: 'NotebookRole',
  lifecycle: 'NotebookLifecycleConfig',
  instance: 'NotebookInstance',
} as const;

export const URL_OUTPUT = 'NotebookUrl';

/** What other plugins may read with `ctx.use('notebook')`. */
export interface NotebookApi {
  roleArn: CfnValue;
  securityGroupId: CfnValue;
}

/** The Metaflow settings the notebook gets: the loaded plugins' config values (internal service URL). */
export function notebookSettings(p: {
  region?: string;
  datastore: DatastoreApi;
  metadata?: MetadataApi;
  batch?: BatchApi;
  scheduling?: SchedulingApi;
  ui?: UiApi;
}): [string, CfnValue][] {
  const s: [string, CfnValue][] = [
    ['METAFLOW_DEFAULT_DATASTORE', 's3'],
    ['METAFLOW_DATASTORE_SYSROOT_S3', p.datastore.sysroot],
    ['METAFLOW_DATATOOLS_S3ROOT', p.datastore.datatoolsRoot],
  ];
  if (p.metadata) {
    // Inside the VPC the internal load balancer is the service (no API key needed).
    s.push(
      ['METAFLOW_DEFAULT_METADATA', 'service'],
      ['METAFLOW_SERVICE_URL', p.metadata.internalUrl],
      ['METAFLOW_SERVICE_INTERNAL_URL', p.metadata.internalUrl],
    );
  }
  if (p.batch) {
    s.push(['METAFLOW_BATCH_JOB_QUEUE', p.batch.defaultJobQueueArn], ['METAFLOW_ECS_S3_ACCESS_IAM_ROLE', p.batch.jobRoleArn]);
    if (p.batch.fargateExecutionRoleArn !== undefined) s.push(['METAFLOW_ECS_FARGATE_EXECUTION_ROLE', p.batch.fargateExecutionRoleArn]);
  }
  if (p.scheduling) {
    s.push(
      ['METAFLOW_SFN_IAM_ROLE', p.scheduling.stepFunctionsRoleArn],
      ['METAFLOW_SFN_DYNAMO_DB_TABLE', p.scheduling.tableName],
      ['METAFLOW_SFN_STATE_MACHINE_PREFIX', p.scheduling.stateMachinePrefix],
    );
    if (p.scheduling.eventBridgeRoleArn !== undefined) s.push(['METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE', p.scheduling.eventBridgeRoleArn]);
  }
  if (p.ui) s.push(['METAFLOW_UI_URL', p.ui.url]);
  return s.sort(([a], [b]) => a.localeCompare(b));
}

/**
 * The lifecycle script (runs as root at every start): writes ec2-user's Metaflow config file and
 * AWS_DEFAULT_REGION, then restarts the Jupyter server so kernels see them.
 */
export function startScript(settings: [string, CfnValue][]): CfnValue {
  const variables: Record<string, CfnValue> = {};
  const lines = settings.map(([key, value], i) => {
    if (typeof value === 'string') return `  "${key}": "${value}"`;
    variables[`V${i}`] = value;
    return `  "${key}": "\${V${i}}"`;
  });
  const script = [
    '#!/bin/bash',
    'set -euo pipefail',
    "# Written by mfinfra:notebook at every start: the deployment's Metaflow settings.",
    'install -d -o ec2-user -g ec2-user -m 700 /home/ec2-user/.metaflowconfig',
    "cat > /home/ec2-user/.metaflowconfig/config.json <<'JSON'",
    '{',
    lines.join(',\n'),
    '}',
    'JSON',
    'chown ec2-user:ec2-user /home/ec2-user/.metaflowconfig/config.json',
    'chmod 600 /home/ec2-user/.metaflowconfig/config.json',
    'echo "export AWS_DEFAULT_REGION=${AWS::Region}" > /etc/profile.d/metaflow.sh',
    'systemctl restart jupyter-server || true',
    '',
  ].join('\n');
  return { 'Fn::Base64': Object.keys(variables).length > 0 ? sub(script, variables) : sub(script) };
}

/** The notebook section resolved once per compile (see `resolve`): where the instance goes and what it is called. */
export interface NotebookModel {
  /** What `ctx.use('notebook')` gives. */
  api: NotebookApi;
  /** The instance's name; SageMaker names its log streams `<name>/...`. */
  name: string;
  /** In a private subnet without direct internet access (when the network has private subnets). */
  isPrivate: boolean;
  /** The subnet the instance goes in: the first private one, else the network's first workload subnet. */
  subnetId: CfnValue;
  /** DeletionPolicy and UpdateReplacePolicy of the instance and its key (`retainOnDelete`). */
  keep: 'Retain' | 'Delete';
}

export function notebookModel(naming: Naming, options: NotebookOptions, network: NetworkApi): NotebookModel {
  const isPrivate = network.privateSubnetIds.length > 0;
  return {
    api: { roleArn: getAtt(ID.role, 'Arn'), securityGroupId: getAtt(ID.securityGroup, 'GroupId') },
    name: naming.physicalName('notebook', { maxLength: 63 }),
    isPrivate,
    subnetId: (isPrivate ? network.privateSubnetIds : network.subnetIds)[0]!,
    keep: options.retainOnDelete ? 'Retain' : 'Delete',
  };
}

export const notebookPlugin = definePlugin<NotebookOptions, NotebookApi, NotebookModel>({
  name: 'mfinfra:notebook',
  apiVersion: 1,
  version: VERSION,
  description: "A private, encrypted SageMaker notebook instance with the deployment's Metaflow settings",
  key: 'notebook',
  starter,
  schema,
  defaults,
  optionalSection: true,
  requires: ['network', 'datastore'],
  uses: ['metadata', 'batch', 'scheduling', 'ui', 'access'],

  resolve: (ctx, options) => notebookModel(ctx.naming, options, ctx.use<NetworkApi>('network')),

  api: (_ctx, _options, model) => model.api,

  resources(ctx, options, { api, name, isPrivate, subnetId, keep }) {
    const network = ctx.use<NetworkApi>('network');
    const datastore = ctx.use<DatastoreApi>('datastore');
    const access = ctx.use<AccessApi | undefined>('access');
    if (!isPrivate) {
      ctx.warn('the network has no private subnets: the notebook gets direct internet access in a public subnet', {
        rootPath: ['network'],
        hint: 'create the network with private: true (or give private subnets) to keep the notebook off the internet',
        code: 'NOTEBOOK_PUBLIC',
      });
    }
    const objectsArn = sub('${Arn}/*', { Arn: datastore.bucketArn });
    const logGroupArn = 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/sagemaker/NotebookInstances';
    const roleStatements: CfnValue[] = [
      ...(access ? [] : (datastore.readWriteStatements() as unknown as CfnValue[])),
      {
        Sid: 'DenyPresignedDatastoreAccess',
        Effect: 'Deny',
        Action: 's3:*',
        Resource: [datastore.bucketArn, objectsArn],
        Condition: { StringNotEquals: { 's3:authType': 'REST-HEADER' } },
      },
      {
        Sid: 'NotebookLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'],
        Resource: sub(`${logGroupArn}:*`),
      },
      {
        // SageMaker names the streams <instance name>/jupyter.log, <instance name>/LifecycleConfigOnStart.
        Sid: 'NotebookLogStreams',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: sub(`${logGroupArn}:log-stream:${name}/*`),
      },
    ];
    const resources: Record<string, CfnResource> = {
      [ID.securityGroup]: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: `Metaflow notebook instance: no inbound traffic (stack ${ctx.stack.name})`,
          VpcId: network.vpcId,
        },
      },
      [ID.role]: {
        Type: 'AWS::IAM::Role',
        Metadata: wildcardException(
          roleStatements,
          "SageMaker writes a notebook's logs to the shared log group /aws/sagemaker/NotebookInstances, creating it on first use, in streams named <instance>/jupyter.log and <instance>/LifecycleConfigOnStart: the role may create and describe in that group and write only its own instance's streams." +
            (access
              ? ''
              : " The datastore grant covers that one bucket's objects, whose keys Metaflow derives at run time (<bucket ARN>/*)."),
        ),
        Properties: {
          Description: `SageMaker notebook for Metaflow on stack ${ctx.stack.name}: the datastore${access ? ' and the Metaflow user policy' : ''}`,
          AssumeRolePolicyDocument: serviceTrustPolicy('sagemaker.amazonaws.com'),
          ManagedPolicyArns: access ? [access.policyArn] : undefined,
          Policies: [
            {
              PolicyName: 'metaflow-notebook',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: roleStatements,
              },
            },
          ],
        },
      },
      [ID.lifecycle]: {
        Type: 'AWS::SageMaker::NotebookInstanceLifecycleConfig',
        Properties: {
          NotebookInstanceLifecycleConfigName: ctx.naming.physicalName('notebook-metaflow', { maxLength: 63 }),
          OnStart: [
            {
              Content: startScript(
                notebookSettings({
                  datastore,
                  metadata: ctx.use<MetadataApi | undefined>('metadata'),
                  batch: ctx.use<BatchApi | undefined>('batch'),
                  scheduling: ctx.use<SchedulingApi | undefined>('scheduling'),
                  ui: ctx.use<UiApi | undefined>('ui'),
                }),
              ),
            },
          ],
        },
      },
      [ID.instance]: {
        Type: 'AWS::SageMaker::NotebookInstance',
        // The volume holds people's notebooks: kept unless retainOnDelete is false.
        DeletionPolicy: keep,
        UpdateReplacePolicy: keep,
        DependsOn: network.dependsOn.length > 0 ? [...network.dependsOn] : undefined,
        Properties: {
          NotebookInstanceName: name,
          InstanceType: options.instanceType,
          RoleArn: api.roleArn,
          SubnetId: subnetId,
          SecurityGroupIds: [api.securityGroupId],
          DirectInternetAccess: isPrivate ? 'Disabled' : 'Enabled',
          KmsKeyId: options.kmsKeyArn ?? ref(ID.key),
          VolumeSizeInGB: options.volumeSizeGiB,
          RootAccess: options.rootAccess ? 'Enabled' : 'Disabled',
          LifecycleConfigName: getAtt(ID.lifecycle, 'NotebookInstanceLifecycleConfigName'),
          PlatformIdentifier: 'notebook-al2-v3',
          InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '2' },
        },
      },
    };
    if (options.kmsKeyArn === undefined) {
      resources[ID.key] = {
        Type: 'AWS::KMS::Key',
        // Without the key the volume (and its snapshots) cannot be read.
        DeletionPolicy: keep,
        UpdateReplacePolicy: keep,
        Properties: {
          Description: `Metaflow notebook volume (stack ${ctx.stack.name})`,
          EnableKeyRotation: true,
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                // The account administers the key through IAM policies (the AWS default key policy).
                Sid: 'AccountAdministersKey',
                Effect: 'Allow',
                Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          },
        },
      };
    }
    return resources;
  },

  stackOutputs() {
    return {
      [URL_OUTPUT]: {
        value: sub(`https://\${${ID.instance}.NotebookInstanceName}.notebook.\${AWS::Region}.sagemaker.aws/tree`),
        description:
          'The Metaflow notebook (open it signed in to the AWS console, or with aws sagemaker create-presigned-notebook-instance-url)',
      },
    };
  },
});
