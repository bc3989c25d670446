/**
 * Stand-ins for the first-party plugins a plugin `requires` or `uses`, so it can be compiled on its
 * own: `fakeNetwork`, `fakeDatastore` and `fakeBatch` own those manifest sections and return apis of
 * the agreed shapes (`NetworkApi`, `DatastoreApi`, `BatchApi`, described here by shape: core
 * imports no plugin). They create just enough real resources (logical ids starting with `Fake`)
 * for the template to reference and for cfn-lint to pass. `fakePlugin` makes any other stand-in.
 *
 * Each fake's options come from its factory and from its manifest section (the section wins), so a
 * test can vary them per manifest: `network: { mode: existing, subnets: 3 }`.
 */
import { definePlugin, getAtt, ref, sub, type CfnResource, type CfnValue, type Plugin } from '../plugin.js';

/**
 * A stand-in plugin: `name` `test:<key>`, API version 1, any section (`schema: { type: 'object' }`,
 * optional) unless given; the hooks and fields you pass are kept as they are.
 */
export function fakePlugin<Options = Record<string, unknown>, Api = unknown, Model = unknown>(
  plugin: Partial<Plugin<Options, Api, Model>> & { key: string },
): Plugin<Options, Api, Model> {
  return definePlugin<Options, Api, Model>({
    name: `test:${plugin.key}`,
    apiVersion: 1,
    schema: { type: 'object' },
    optionalSection: true,
    ...plugin,
  });
}

/**
 * A stand-in that requires `key` and records what `ctx.use(key)` gave it, one entry per compile
 * (`seen`, the latest last): list its `readerKey` (default `reader`) in the manifest's `plugins:`
 * and pass `plugin` under that key, to assert on the api your plugin gives.
 */
export function apiReader<Api = unknown>(key: string, readerKey = 'reader'): { plugin: Plugin; seen: Api[] } {
  const seen: Api[] = [];
  const plugin = fakePlugin({
    key: readerKey,
    requires: [key],
    resources: (ctx) => {
      seen.push(ctx.use<Api>(key));
      return {};
    },
  });
  return { plugin, seen };
}

/** The network api by shape (`NetworkApi` of `@mfinfra/plugin-network`). */
export interface FakeNetworkApi {
  mode: 'create' | 'existing';
  vpcId: CfnValue;
  vpcCidr?: CfnValue;
  subnetIds: CfnValue[];
  publicSubnetIds: CfnValue[];
  privateSubnetIds: CfnValue[];
  isPrivate: boolean;
  assignPublicIp: boolean;
  securityGroupIds: CfnValue[];
  dependsOn: string[];
}

export interface FakeNetworkOptions {
  /** `create` (default): a VPC with two public subnets; `existing`: ids of a VPC that exists, no resources. */
  mode?: 'create' | 'existing';
  /**
   * Workloads go in private subnets: created, two more behind a NAT gateway; existing, subnets that
   * assign no public IP. Default false.
   */
  private?: boolean;
  /** Existing only: the VPC CIDR the api gives (none when left out, as when the manifest does not say it). */
  cidr?: string;
  /** Existing only: how many subnet ids (1 to 3, default 2). */
  subnets?: number;
  /** Existing only: security groups the api gives (default none). */
  securityGroupIds?: string[];
}

/** Subnet ids of the existing VPC `fakeNetwork({ mode: 'existing' })` stands for. */
export const FAKE_EXISTING_SUBNETS = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'] as const;

function networkApi(o: FakeNetworkOptions): FakeNetworkApi {
  const isPrivate = o.private ?? false;
  if (o.mode === 'existing') {
    const subnetIds = FAKE_EXISTING_SUBNETS.slice(0, o.subnets ?? 2);
    return {
      mode: 'existing',
      vpcId: 'vpc-0a1b2c3d4e5f60000',
      ...(o.cidr !== undefined ? { vpcCidr: o.cidr } : {}),
      subnetIds,
      publicSubnetIds: isPrivate ? [] : subnetIds,
      privateSubnetIds: isPrivate ? subnetIds : [],
      isPrivate,
      assignPublicIp: !isPrivate,
      securityGroupIds: [...(o.securityGroupIds ?? [])],
      dependsOn: [],
    };
  }
  const pub = [ref('FakePublicSubnetA'), ref('FakePublicSubnetB')];
  const priv = isPrivate ? [ref('FakePrivateSubnetA'), ref('FakePrivateSubnetB')] : [];
  return {
    mode: 'create',
    vpcId: ref('FakeVpc'),
    vpcCidr: getAtt('FakeVpc', 'CidrBlock'),
    subnetIds: isPrivate ? priv : pub,
    publicSubnetIds: pub,
    privateSubnetIds: priv,
    isPrivate,
    assignPublicIp: !isPrivate,
    securityGroupIds: [],
    dependsOn: isPrivate ? ['FakePrivateDefaultRoute'] : ['FakePublicDefaultRoute'],
  };
}

function networkResources(o: FakeNetworkOptions): Record<string, CfnResource> {
  if (o.mode === 'existing') return {};
  const subnet = (cidr: string, az: number, pub: boolean): CfnResource => ({
    Type: 'AWS::EC2::Subnet',
    Properties: {
      VpcId: ref('FakeVpc'),
      CidrBlock: cidr,
      AvailabilityZone: { 'Fn::Select': [az, { 'Fn::GetAZs': '' }] },
      MapPublicIpOnLaunch: pub,
    },
  });
  const association = (subnetId: string, table: string): CfnResource => ({
    Type: 'AWS::EC2::SubnetRouteTableAssociation',
    Properties: { SubnetId: ref(subnetId), RouteTableId: ref(table) },
  });
  const out: Record<string, CfnResource> = {
    FakeVpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.20.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true } },
    FakeIgw: { Type: 'AWS::EC2::InternetGateway' },
    FakeIgwAttachment: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: ref('FakeVpc'), InternetGatewayId: ref('FakeIgw') } },
    FakePublicSubnetA: subnet('10.20.0.0/24', 0, true),
    FakePublicSubnetB: subnet('10.20.1.0/24', 1, true),
    FakePublicRouteTable: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('FakeVpc') } },
    FakePublicDefaultRoute: {
      Type: 'AWS::EC2::Route',
      DependsOn: 'FakeIgwAttachment',
      Properties: { RouteTableId: ref('FakePublicRouteTable'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('FakeIgw') },
    },
    FakePublicSubnetARoutes: association('FakePublicSubnetA', 'FakePublicRouteTable'),
    FakePublicSubnetBRoutes: association('FakePublicSubnetB', 'FakePublicRouteTable'),
  };
  if (o.private) {
    Object.assign(out, {
      FakePrivateSubnetA: subnet('10.20.10.0/24', 0, false),
      FakePrivateSubnetB: subnet('10.20.11.0/24', 1, false),
      FakeNatIp: { Type: 'AWS::EC2::EIP', DependsOn: 'FakeIgwAttachment', Properties: { Domain: 'vpc' } },
      FakeNat: {
        Type: 'AWS::EC2::NatGateway',
        Properties: { AllocationId: getAtt('FakeNatIp', 'AllocationId'), SubnetId: ref('FakePublicSubnetA') },
      },
      FakePrivateRouteTable: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('FakeVpc') } },
      FakePrivateDefaultRoute: {
        Type: 'AWS::EC2::Route',
        Properties: { RouteTableId: ref('FakePrivateRouteTable'), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref('FakeNat') },
      },
      FakePrivateSubnetARoutes: association('FakePrivateSubnetA', 'FakePrivateRouteTable'),
      FakePrivateSubnetBRoutes: association('FakePrivateSubnetB', 'FakePrivateRouteTable'),
    });
  }
  return out;
}

/** Stands in for `@mfinfra/plugin-network` (key `network`): a created VPC (`FakeVpc`, ...) or an existing one. */
export function fakeNetwork(defaults: FakeNetworkOptions = {}): Plugin<FakeNetworkOptions, FakeNetworkApi> {
  return fakePlugin<FakeNetworkOptions, FakeNetworkApi>({
    key: 'network',
    api: (_ctx, section) => networkApi({ ...defaults, ...section }),
    resources: (_ctx, section) => networkResources({ ...defaults, ...section }),
  });
}

/** One identity-policy statement, as `DatastoreApi.readWriteStatements()` returns them. */
export interface FakeIamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: CfnValue;
  Condition?: { [operator: string]: { [key: string]: CfnValue } };
}

/** The datastore api by shape (`DatastoreApi` of `@mfinfra/plugin-datastore`). */
export interface FakeDatastoreApi {
  bucketName: CfnValue;
  bucketArn: CfnValue;
  sysroot: CfnValue;
  datatoolsRoot: CfnValue;
  kmsKeyArn?: CfnValue;
  readWriteStatements(): FakeIamStatement[];
}

export interface FakeDatastoreOptions {
  /** Encrypt the bucket with a customer managed key (`FakeKey`) that readers and writers must be allowed to use. */
  kms?: boolean;
}

/**
 * Stands in for `@mfinfra/plugin-datastore` (key `datastore`): a private, retained bucket
 * `FakeBucket` (with `kms`, a key `FakeKey`) and the real plugin's read/write statements.
 */
export function fakeDatastore(defaults: FakeDatastoreOptions = {}): Plugin<FakeDatastoreOptions, FakeDatastoreApi> {
  const bucketArn = getAtt('FakeBucket', 'Arn');
  const keyArn = getAtt('FakeKey', 'Arn');
  return fakePlugin<FakeDatastoreOptions, FakeDatastoreApi>({
    key: 'datastore',
    api(_ctx, section) {
      const kms = { ...defaults, ...section }.kms === true;
      return {
        bucketName: ref('FakeBucket'),
        bucketArn,
        sysroot: sub('s3://${FakeBucket}/metaflow'),
        datatoolsRoot: sub('s3://${FakeBucket}/metaflow/data'),
        ...(kms ? { kmsKeyArn: keyArn } : {}),
        readWriteStatements: () => [
          { Sid: 'MetaflowDatastoreListBucket', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: bucketArn },
          {
            Sid: 'MetaflowDatastoreReadWriteObjects',
            Effect: 'Allow',
            Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
            Resource: sub('${FakeBucket.Arn}/*'),
          },
          ...(kms
            ? [
                {
                  Sid: 'MetaflowDatastoreUseKey',
                  Effect: 'Allow' as const,
                  Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
                  Resource: keyArn,
                },
              ]
            : []),
        ],
      };
    },
    resources(_ctx, section) {
      const kms = { ...defaults, ...section }.kms === true;
      const out: Record<string, CfnResource> = {
        FakeBucket: {
          Type: 'AWS::S3::Bucket',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              BlockPublicPolicy: true,
              IgnorePublicAcls: true,
              RestrictPublicBuckets: true,
            },
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                { ServerSideEncryptionByDefault: kms ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } : { SSEAlgorithm: 'AES256' } },
              ],
            },
          },
        },
      };
      if (kms) {
        out.FakeKey = {
          Type: 'AWS::KMS::Key',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            EnableKeyRotation: true,
            KeyPolicy: {
              Version: '2012-10-17',
              Statement: [
                {
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
      return out;
    },
  });
}

/** The batch api by shape (`BatchApi` of `@mfinfra/plugin-batch`). */
export interface FakeBatchApi {
  jobRoleName?: CfnValue;
  jobRoleArn: CfnValue;
  jobQueueArns: CfnValue[];
  defaultJobQueueArn: CfnValue;
  fargateExecutionRoleArn?: CfnValue;
  securityGroupId?: CfnValue;
}

export interface FakeBatchOptions {
  /** Job queue names; their ARNs are `job-queue/<stack>-<name>`, the first is the default. Default `[cpu]`. */
  queues?: string[];
}

/**
 * Stands in for `@mfinfra/plugin-batch` (key `batch`): a job role `FakeBatchJobRole` and, when
 * network is loaded, the compute environments' security group `FakeBatchSecurityGroup` in its VPC.
 */
export function fakeBatch(defaults: FakeBatchOptions = {}): Plugin<FakeBatchOptions, FakeBatchApi> {
  return fakePlugin<FakeBatchOptions, FakeBatchApi>({
    key: 'batch',
    uses: ['network'],
    api(ctx, section) {
      const queues = ({ ...defaults, ...section }.queues ?? ['cpu']).map((q) =>
        sub(`arn:\${AWS::Partition}:batch:\${AWS::Region}:\${AWS::AccountId}:job-queue/${ctx.stack.name}-${q}`),
      );
      return {
        jobRoleName: ref('FakeBatchJobRole'),
        jobRoleArn: getAtt('FakeBatchJobRole', 'Arn'),
        jobQueueArns: queues,
        defaultJobQueueArn: queues[0]!,
        ...(ctx.loaded.has('network') ? { securityGroupId: getAtt('FakeBatchSecurityGroup', 'GroupId') } : {}),
      };
    },
    resources(ctx) {
      const out: Record<string, CfnResource> = {
        FakeBatchJobRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            },
          },
        },
      };
      const network = ctx.use<FakeNetworkApi | undefined>('network');
      if (network) {
        out.FakeBatchSecurityGroup = {
          Type: 'AWS::EC2::SecurityGroup',
          Properties: { GroupDescription: 'Batch compute environments (stand-in)', VpcId: network.vpcId },
        };
      }
      return out;
    },
  });
}
