/**
 * Small stand-ins for the network and datastore plugins, returning api objects of the agreed
 * shape. They create real resources, so the compiled templates are complete and cfn-lint can
 * check them.
 */
import { definePlugin, getAtt, ref, sub, type CfnResource } from '@mfinfra/core/plugin';
import type { DatastoreApi, IamStatement } from '@mfinfra/plugin-datastore';
import type { NetworkApi } from '@mfinfra/plugin-network';

/** A VPC with two public subnets (`private: false`) or two private subnets behind a NAT gateway. */
export function fakeNetwork(opts: { private?: boolean; existing?: boolean } = {}) {
  return definePlugin<Record<string, unknown>, NetworkApi>({
    name: 'fake:network',
    apiVersion: 1,
    key: 'network',
    schema: { type: 'object' },
    optionalSection: true,
    api() {
      if (opts.existing) {
        return {
          mode: 'existing',
          vpcId: 'vpc-0123456789abcdef0',
          vpcCidr: '10.0.0.0/16',
          subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
          publicSubnetIds: [],
          privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
          isPrivate: true,
          assignPublicIp: false,
          securityGroupIds: ['sg-0123456789abcdef0'],
          dependsOn: [],
        };
      }
      const pub = [ref('FakePublicSubnetA'), ref('FakePublicSubnetB')];
      const priv = opts.private ? [ref('FakePrivateSubnetA'), ref('FakePrivateSubnetB')] : [];
      return {
        mode: 'create',
        vpcId: ref('FakeVpc'),
        vpcCidr: getAtt('FakeVpc', 'CidrBlock'),
        subnetIds: opts.private ? priv : pub,
        publicSubnetIds: pub,
        privateSubnetIds: priv,
        isPrivate: !!opts.private,
        assignPublicIp: !opts.private,
        securityGroupIds: [],
        dependsOn: opts.private ? ['FakePrivateDefaultRoute'] : ['FakePublicDefaultRoute'],
      };
    },
    resources() {
      if (opts.existing) return {};
      const subnet = (cidr: string, az: number, pub: boolean): CfnResource => ({
        Type: 'AWS::EC2::Subnet',
        Properties: {
          VpcId: ref('FakeVpc'),
          CidrBlock: cidr,
          AvailabilityZone: { 'Fn::Select': [az, { 'Fn::GetAZs': '' }] },
          MapPublicIpOnLaunch: pub,
        },
      });
      const out: Record<string, CfnResource> = {
        FakeVpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.20.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true } },
        FakeIgw: { Type: 'AWS::EC2::InternetGateway' },
        FakeIgwAttachment: {
          Type: 'AWS::EC2::VPCGatewayAttachment',
          Properties: { VpcId: ref('FakeVpc'), InternetGatewayId: ref('FakeIgw') },
        },
        FakePublicSubnetA: subnet('10.20.0.0/24', 0, true),
        FakePublicSubnetB: subnet('10.20.1.0/24', 1, true),
        FakePublicRouteTable: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('FakeVpc') } },
        FakePublicDefaultRoute: {
          Type: 'AWS::EC2::Route',
          DependsOn: 'FakeIgwAttachment',
          Properties: { RouteTableId: ref('FakePublicRouteTable'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('FakeIgw') },
        },
        FakePublicSubnetARoutes: {
          Type: 'AWS::EC2::SubnetRouteTableAssociation',
          Properties: { SubnetId: ref('FakePublicSubnetA'), RouteTableId: ref('FakePublicRouteTable') },
        },
        FakePublicSubnetBRoutes: {
          Type: 'AWS::EC2::SubnetRouteTableAssociation',
          Properties: { SubnetId: ref('FakePublicSubnetB'), RouteTableId: ref('FakePublicRouteTable') },
        },
      };
      if (opts.private) {
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
          FakePrivateSubnetARoutes: {
            Type: 'AWS::EC2::SubnetRouteTableAssociation',
            Properties: { SubnetId: ref('FakePrivateSubnetA'), RouteTableId: ref('FakePrivateRouteTable') },
          },
          FakePrivateSubnetBRoutes: {
            Type: 'AWS::EC2::SubnetRouteTableAssociation',
            Properties: { SubnetId: ref('FakePrivateSubnetB'), RouteTableId: ref('FakePrivateRouteTable') },
          },
        });
      }
      return out;
    },
  });
}

/** A private bucket; `kms: true` adds a customer managed key. */
export function fakeDatastore(opts: { kms?: boolean } = {}) {
  const bucketArn = getAtt('FakeBucket', 'Arn');
  return definePlugin<Record<string, unknown>, DatastoreApi>({
    name: 'fake:datastore',
    apiVersion: 1,
    key: 'datastore',
    schema: { type: 'object' },
    optionalSection: true,
    api() {
      return {
        bucketName: ref('FakeBucket'),
        bucketArn,
        sysroot: sub('s3://${FakeBucket}/metaflow'),
        datatoolsRoot: sub('s3://${FakeBucket}/data'),
        ...(opts.kms ? { kmsKeyArn: getAtt('FakeKey', 'Arn') } : {}),
        readWriteStatements: (): IamStatement[] => [
          { Sid: 'ListBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
          {
            Sid: 'ReadWriteObjects',
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
            Resource: sub('${FakeBucket.Arn}/*'),
          },
        ],
      };
    },
    resources() {
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
                {
                  ServerSideEncryptionByDefault: opts.kms
                    ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: getAtt('FakeKey', 'Arn') }
                    : { SSEAlgorithm: 'AES256' },
                },
              ],
            },
          },
        },
      };
      if (opts.kms) {
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
