import { describe, expect, it } from 'vitest';
import { compile, seen } from './helpers.js';
import { variants } from './variants.js';

const subnetCidrs = (template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }) =>
  Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::EC2::Subnet')
      .map(([id, r]) => [id, r.Properties!.CidrBlock]),
  );

describe('network templates', () => {
  for (const [name, yaml] of Object.entries(variants)) {
    it(`compiles ${name} to the expected template`, async () => {
      const result = await compile(yaml);
      expect(result.warnings).toEqual([]);
      await expect(result.body).toMatchFileSnapshot(`__snapshots__/${name}.template.json`);
    });
  }

  it('compiles byte-identical templates for the same manifest', async () => {
    for (const yaml of Object.values(variants)) {
      const [a, b] = [await compile(yaml), await compile(yaml)];
      expect(a.body).toBe(b.body);
    }
  });

  it('treats an empty create: like no network section at all', async () => {
    const bare = await compile(variants['create-public']!);
    const empty = await compile(`${variants['create-public']!}network:\n  create:\n`);
    expect(empty.template.Resources).toEqual(bare.template.Resources);
  });

  it('gives public subnets public IPs only when workloads run there without NAT', async () => {
    const pub = await compile(variants['create-public']!);
    const priv = await compile(variants['create-private-single-nat']!);
    expect(pub.template.Resources.NetworkPublicSubnet1!.Properties!.MapPublicIpOnLaunch).toBe(true);
    for (const r of Object.values(priv.template.Resources)) expect(r.Properties?.MapPublicIpOnLaunch).toBeUndefined();
  });

  it('computes subnet blocks deterministically and keeps existing ones when zones or NAT are added', async () => {
    const pub = await compile(variants['create-public']!);
    expect(subnetCidrs(pub.template)).toEqual({ NetworkPublicSubnet1: '10.20.0.0/20', NetworkPublicSubnet2: '10.20.16.0/20' });
    const priv = await compile(variants['create-private-single-nat']!);
    expect(subnetCidrs(priv.template)).toEqual({
      NetworkPrivateSubnet1: '10.20.128.0/20',
      NetworkPrivateSubnet2: '10.20.144.0/20',
      NetworkPrivateSubnet3: '10.20.160.0/20',
      NetworkPublicSubnet1: '10.20.0.0/20',
      NetworkPublicSubnet2: '10.20.16.0/20',
      NetworkPublicSubnet3: '10.20.32.0/20',
    });
    // Given public blocks are kept; computed private blocks avoid them.
    const mixed = await compile(variants['create-private-nat-per-az']!);
    expect(subnetCidrs(mixed.template)).toEqual({
      NetworkPrivateSubnet1: '10.0.8.0/24',
      NetworkPrivateSubnet2: '10.0.9.0/24',
      NetworkPublicSubnet1: '10.0.0.0/24',
      NetworkPublicSubnet2: '10.0.1.0/24',
    });
    const small = await compile(
      variants['create-public']!.replace(
        'plugins: [network, consumer]\n',
        'plugins: [network, consumer]\nnetwork: { create: { cidr: 192.168.0.0/26, private: true } }\n',
      ),
    );
    expect(Object.values(subnetCidrs(small.template))).toEqual(['192.168.0.32/28', '192.168.0.48/28', '192.168.0.0/28', '192.168.0.16/28']);
  });

  it('routes private subnets through one NAT gateway, or one per zone', async () => {
    const routes = (t: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }) =>
      Object.values(t.Resources)
        .filter((r) => r.Type === 'AWS::EC2::Route' && r.Properties!.NatGatewayId)
        .map((r) => r.Properties!.NatGatewayId);
    const single = await compile(variants['create-private-single-nat']!);
    expect(routes(single.template)).toEqual([{ Ref: 'NetworkNatGateway1' }, { Ref: 'NetworkNatGateway1' }, { Ref: 'NetworkNatGateway1' }]);
    const perAz = await compile(variants['create-private-nat-per-az']!);
    expect(routes(perAz.template)).toEqual([{ Ref: 'NetworkNatGateway1' }, { Ref: 'NetworkNatGateway2' }]);
  });

  it('logs all VPC traffic to a CloudWatch Logs group kept 30 days by default, through a role only VPC Flow Logs of this account can assume', async () => {
    const r = (await compile(variants['create-public']!)).template.Resources;
    expect(r.NetworkFlowLog!.Properties).toEqual({
      ResourceId: { Ref: 'NetworkVpc' },
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: 'NetworkFlowLogLogGroup' },
      DeliverLogsPermissionArn: { 'Fn::GetAtt': ['NetworkFlowLogRole', 'Arn'] },
      MaxAggregationInterval: 600,
    });
    expect(r.NetworkFlowLogLogGroup).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    const trust = (r.NetworkFlowLogRole!.Properties!.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] }).Statement[0];
    expect(trust).toMatchObject({
      Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  it('sends flow logs to a given S3 bucket without a role, or makes none when flowLogs is false', async () => {
    const s3 = (await compile(variants['create-flow-logs-s3-no-restrict']!)).template.Resources;
    expect(s3.NetworkFlowLog!.Properties).toMatchObject({
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::acme-network-logs/metaflow',
      TrafficType: 'REJECT',
    });
    expect(s3.NetworkFlowLogRole).toBeUndefined();
    expect(s3.NetworkFlowLogLogGroup).toBeUndefined();
    const off = (await compile(variants['create-no-flow-logs']!)).template.Resources;
    expect(Object.keys(off).filter((id) => id.startsWith('NetworkFlowLog'))).toEqual([]);
  });

  it("empties the new VPC's default security group with a custom resource allowed to change only that group", async () => {
    const r = (await compile(variants['create-public']!)).template.Resources;
    expect(r.NetworkRestrictDefaultSecurityGroup).toEqual({
      Type: 'Custom::RestrictDefaultSecurityGroup',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': ['NetworkRestrictDefaultSecurityGroupFunction', 'Arn'] },
        SecurityGroupId: { 'Fn::GetAtt': ['NetworkVpc', 'DefaultSecurityGroup'] },
      },
    });
    const policy = (
      r.NetworkRestrictDefaultSecurityGroupRole!.Properties!.Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[]
    )[0]!.PolicyDocument.Statement[0];
    expect(policy).toEqual({
      Sid: 'ChangeTheDefaultSecurityGroupOnly',
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:RevokeSecurityGroupIngress',
      ],
      Resource: {
        'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:security-group/${NetworkVpc.DefaultSecurityGroup}',
      },
    });
    const code = (r.NetworkRestrictDefaultSecurityGroupFunction!.Properties!.Code as { ZipFile: string }).ZipFile;
    expect(code).toContain('revoke_security_group_ingress');
    expect(code).toContain('urllib.request.urlopen');
    const off = (await compile(variants['create-flow-logs-s3-no-restrict']!)).template.Resources;
    expect(Object.keys(off).filter((id) => id.includes('RestrictDefault'))).toEqual([]);
    const existing = (await compile(variants.existing!)).template.Resources;
    expect(Object.keys(existing).filter((id) => id.includes('RestrictDefault') || id.includes('FlowLog'))).toEqual([]);
  });

  it('fills every NetworkApi field for each mode', async () => {
    await compile(variants['create-public']!);
    expect(seen.api).toEqual({
      mode: 'create',
      vpcId: { Ref: 'NetworkVpc' },
      vpcCidr: { 'Fn::GetAtt': ['NetworkVpc', 'CidrBlock'] },
      subnetIds: [{ Ref: 'NetworkPublicSubnet1' }, { Ref: 'NetworkPublicSubnet2' }],
      publicSubnetIds: [{ Ref: 'NetworkPublicSubnet1' }, { Ref: 'NetworkPublicSubnet2' }],
      privateSubnetIds: [],
      isPrivate: false,
      assignPublicIp: true,
      securityGroupIds: [],
      dependsOn: ['NetworkPublicDefaultRoute'],
    });
    await compile(variants['create-private-nat-per-az']!);
    expect(seen.api).toMatchObject({
      subnetIds: [{ Ref: 'NetworkPrivateSubnet1' }, { Ref: 'NetworkPrivateSubnet2' }],
      privateSubnetIds: [{ Ref: 'NetworkPrivateSubnet1' }, { Ref: 'NetworkPrivateSubnet2' }],
      isPrivate: true,
      assignPublicIp: false,
      dependsOn: ['NetworkPrivateDefaultRoute1', 'NetworkPrivateDefaultRoute2'],
    });
    const { template } = await compile(variants.existing!);
    expect(Object.keys(template.Resources)).toEqual(['ConsumerDbSubnetGroup', 'ConsumerSecurityGroup']);
    expect(seen.api).toEqual({
      mode: 'existing',
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidr: '172.31.0.0/16',
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-12345678'],
      publicSubnetIds: [],
      privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-12345678'],
      isPrivate: true,
      assignPublicIp: false,
      securityGroupIds: ['sg-0123456789abcdef0'],
      dependsOn: [],
    });
    await compile(variants.existing!.replace('    cidr: 172.31.0.0/16\n', '    assignPublicIp: true\n'));
    expect(seen.api).not.toHaveProperty('vpcCidr');
    expect(seen.api).toMatchObject({
      publicSubnetIds: ['subnet-0123456789abcdef0', 'subnet-12345678'],
      privateSubnetIds: [],
      isPrivate: false,
      assignPublicIp: true,
    });
  });
});
