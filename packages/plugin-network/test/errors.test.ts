import { describe, expect, it } from 'vitest';
import { compile, problems } from './helpers.js';

const manifest = (section: string) => `version: 1
stack: { name: mf }
plugins: [network]
network:
${section}`;

describe('network manifest errors point at the manifest', () => {
  it('rejects malformed VPC blocks and prefixes outside /16-/28', async () => {
    const found = [];
    for (const cidr of ['10.20.0.0', '10.300.0.0/16', '10.20.1.0/16', '10.0.0.0/8', '10.0.0.0/29']) {
      found.push(...(await problems(manifest(`  create: { cidr: "${cidr}" }\n`))));
    }
    expect(found).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:5:19",
          "code": "MANIFEST_INVALID",
          "hint": "write it as a.b.c.d/n, e.g. 10.20.0.0/16",
          "message": "VPC CIDR "10.20.0.0" is not an IPv4 CIDR block",
          "pluginCode": "NETWORK_BAD_CIDR",
        },
        {
          "at": "metaflow.infra.yaml:5:19",
          "code": "MANIFEST_INVALID",
          "hint": "each of the four numbers must be 0-255",
          "message": "VPC CIDR "10.300.0.0/16" has an octet above 255",
          "pluginCode": "NETWORK_BAD_CIDR",
        },
        {
          "at": "metaflow.infra.yaml:5:19",
          "code": "MANIFEST_INVALID",
          "hint": "did you mean 10.20.0.0/16?",
          "message": "VPC CIDR "10.20.1.0/16" has host bits set",
          "pluginCode": "NETWORK_BAD_CIDR",
        },
        {
          "at": "metaflow.infra.yaml:5:19",
          "code": "MANIFEST_INVALID",
          "hint": "use a /16 or smaller block",
          "message": "VPC CIDR "10.0.0.0/8" is a /8; AWS allows /16 to /28",
          "pluginCode": "NETWORK_BAD_CIDR",
        },
        {
          "at": "metaflow.infra.yaml:5:19",
          "code": "MANIFEST_INVALID",
          "hint": "use a /28 or larger block",
          "message": "VPC CIDR "10.0.0.0/29" is a /29; AWS allows /16 to /28",
          "pluginCode": "NETWORK_BAD_CIDR",
        },
      ]
    `);
  });

  it('rejects subnet blocks outside the VPC, overlapping, of the wrong count or size', async () => {
    expect(
      await problems(
        manifest(`  create:
    cidr: 10.20.0.0/16
    private: true
    publicSubnetCidrs: [10.20.0.0/24, 10.21.0.0/24]
    privateSubnetCidrs: [10.20.0.128/25, 10.20.1.0/24, 10.20.2.0/24]
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:8:39",
          "code": "MANIFEST_INVALID",
          "hint": "pick a block inside 10.20.0.0/16, or leave publicSubnetCidrs out to have them computed",
          "message": "subnet 10.21.0.0/24 is not inside the VPC block 10.20.0.0/16",
          "pluginCode": "NETWORK_SUBNET_OUTSIDE_VPC",
        },
        {
          "at": "metaflow.infra.yaml:9:25",
          "code": "MANIFEST_INVALID",
          "hint": "give one block per availability zone (2), or change azs",
          "message": "privateSubnetCidrs lists 3 blocks, but azs is 2",
          "pluginCode": "NETWORK_SUBNET_COUNT",
        },
        {
          "at": "metaflow.infra.yaml:9:26",
          "code": "MANIFEST_INVALID",
          "hint": "subnets in one VPC must not share addresses",
          "message": "subnet 10.20.0.128/25 overlaps subnet 10.20.0.0/24 (network.create.publicSubnetCidrs[0])",
          "pluginCode": "NETWORK_SUBNET_OVERLAP",
        },
      ]
    `);
    expect(await problems(manifest(`  create:\n    publicSubnetCidrs: [10.20.0.0/24, 10.20.1.0/29]\n`))).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:39",
          "code": "MANIFEST_INVALID",
          "hint": "use a /28 or larger block",
          "message": "subnet CIDR "10.20.1.0/29" is a /29; AWS allows /16 to /28",
          "pluginCode": "NETWORK_BAD_CIDR",
        },
      ]
    `);
    expect(await problems(manifest(`  create:\n    publicSubnetCidrs: [10.20.0.0/24, 10.20.0.0/23]\n`))).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:39",
          "code": "MANIFEST_INVALID",
          "hint": "subnets in one VPC must not share addresses",
          "message": "subnet 10.20.0.0/23 overlaps subnet 10.20.0.0/24 (network.create.publicSubnetCidrs[0])",
          "pluginCode": "NETWORK_SUBNET_OVERLAP",
        },
      ]
    `);
  });

  it('rejects a VPC too small for the computed subnets', async () => {
    expect(await problems(manifest(`  create: { cidr: 10.0.0.0/27, private: true }\n`))).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:5:19",
          "code": "MANIFEST_INVALID",
          "hint": "use a larger VPC block (e.g. a /16), or list publicSubnetCidrs/privateSubnetCidrs yourself",
          "message": "the VPC block 10.0.0.0/27 (32 addresses) is too small for 4 computed subnets of at least /28",
          "pluginCode": "NETWORK_VPC_TOO_SMALL",
        },
      ]
    `);
  });

  it('rejects zone counts outside 2-6 and options that contradict each other', async () => {
    expect(await problems(manifest(`  create: { azs: 1 }\n`))).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:5:18",
          "code": "MANIFEST_INVALID",
          "hint": "Availability zones to use, 2-6 (default 2).",
          "message": "network.create.azs must be >= 2, not 1",
        },
      ]
    `);
    expect(await problems(manifest(`  create: { azs: 7 }\n`))).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:5:18",
          "code": "MANIFEST_INVALID",
          "hint": "Availability zones to use, 2-6 (default 2).",
          "message": "network.create.azs must be <= 6, not 7",
        },
      ]
    `);
    expect(
      await problems(
        manifest(`  create:
    natGateways: per-az
    privateSubnetCidrs: [10.20.0.0/24, 10.20.1.0/24]
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:18",
          "code": "MANIFEST_INVALID",
          "hint": "set private: true to put workloads behind NAT, or remove natGateways",
          "message": "natGateways is set, but private is not true (public subnets need no NAT)",
          "pluginCode": "NETWORK_OPTION_CONFLICT",
        },
        {
          "at": "metaflow.infra.yaml:7:25",
          "code": "MANIFEST_INVALID",
          "hint": "set private: true to create private subnets, or remove privateSubnetCidrs",
          "message": "privateSubnetCidrs is set, but private is not true",
          "pluginCode": "NETWORK_OPTION_CONFLICT",
        },
      ]
    `);
    expect(
      await problems(
        manifest(`  create: {}
  existing: { vpcId: vpc-12345678, subnetIds: [subnet-12345678, subnet-87654321] }
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:13",
          "code": "MANIFEST_INVALID",
          "hint": "keep one of them",
          "message": "network has both "create" (a new VPC) and "existing" (reuse a VPC)",
          "pluginCode": "NETWORK_MODE_CONFLICT",
        },
      ]
    `);
  });

  it('rejects malformed ids of an existing VPC, subnets and security groups', async () => {
    expect(
      await problems(
        manifest(`  existing:
    vpcId: subnet-12345678
    subnetIds: [subnet-1234, Subnet-0123456789ABCDEF0]
    securityGroupIds: [sg-xyz]
    cidr: 172.31.0.0/33
`),
      ),
    ).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:6:12",
          "code": "MANIFEST_INVALID",
          "hint": "give a VPC id such as vpc-0123456789abcdef0",
          "message": ""subnet-12345678" is a subnet id, not a VPC id",
          "pluginCode": "NETWORK_BAD_ID",
        },
        {
          "at": "metaflow.infra.yaml:7:17",
          "code": "MANIFEST_INVALID",
          "hint": "subnet ids look like subnet-0123456789abcdef0",
          "message": ""subnet-1234" is not a subnet id",
          "pluginCode": "NETWORK_BAD_ID",
        },
        {
          "at": "metaflow.infra.yaml:7:30",
          "code": "MANIFEST_INVALID",
          "hint": "write subnet-0123456789abcdef0",
          "message": ""Subnet-0123456789ABCDEF0" must be lowercase",
          "pluginCode": "NETWORK_BAD_ID",
        },
        {
          "at": "metaflow.infra.yaml:8:24",
          "code": "MANIFEST_INVALID",
          "hint": "security group ids look like sg-0123456789abcdef0",
          "message": ""sg-xyz" is not a security group id",
          "pluginCode": "NETWORK_BAD_ID",
        },
        {
          "at": "metaflow.infra.yaml:9:11",
          "code": "MANIFEST_INVALID",
          "hint": "the number after "/" must be 0-32",
          "message": "cidr "172.31.0.0/33" has a prefix length above 32",
          "pluginCode": "NETWORK_BAD_CIDR",
        },
      ]
    `);
  });

  it('requires at least one existing subnet and warns when there is only one', async () => {
    expect(await problems(manifest(`  existing: { vpcId: vpc-12345678, subnetIds: [] }\n`))).toMatchInlineSnapshot(`
      [
        {
          "at": "metaflow.infra.yaml:5:47",
          "code": "MANIFEST_INVALID",
          "hint": "Subnets where workloads run, in at least two availability zones, e.g. [subnet-0123456789abcdef0, ...].",
          "message": "network.existing.subnetIds must NOT have fewer than 1 items",
        },
      ]
    `);
    const { warnings } = await compile(
      manifest(`  existing: { vpcId: vpc-12345678, subnetIds: [subnet-12345678] }\n`).replace(
        'plugins: [network]',
        'plugins: [network, consumer]',
      ),
    );
    expect(warnings.map((w) => [w.message, `${w.loc?.line}:${w.loc?.column}`])).toMatchInlineSnapshot(`
      [
        [
          "only one subnet is listed: workloads and the database will sit in a single availability zone",
          "5:47",
        ],
      ]
    `);
  });
});
