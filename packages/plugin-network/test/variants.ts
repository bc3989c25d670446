/** Manifests for every shape of the network section (used by snapshot and cfn-lint tests). */
const head = (name: string) => `version: 1
stack: { name: ${name}, region: us-west-2 }
plugins: [network, consumer]
`;

export const variants: Record<string, string> = {
  'create-public': head('metaflow-public'),
  'create-private-single-nat': `${head('metaflow-private')}network:
  create: { private: true, azs: 3 }
`,
  'create-private-nat-per-az': `${head('metaflow-private-ha')}network:
  create:
    cidr: 10.0.0.0/20
    private: true
    natGateways: per-az
    publicSubnetCidrs: [10.0.0.0/24, 10.0.1.0/24]
    s3Endpoint: false
`,
  'create-flow-logs-s3-no-restrict': `${head('metaflow-flow-s3')}network:
  create:
    flowLogs: { s3BucketArn: "arn:aws:s3:::acme-network-logs/metaflow", trafficType: REJECT }
    restrictDefaultSecurityGroup: false
`,
  'create-no-flow-logs': `${head('metaflow-no-flow-logs')}network:
  create: { flowLogs: false }
`,
  existing: `${head('metaflow-existing')}network:
  existing:
    vpcId: vpc-0123456789abcdef0
    subnetIds: [subnet-0123456789abcdef0, subnet-12345678]
    securityGroupIds: [sg-0123456789abcdef0]
    cidr: 172.31.0.0/16
`,
};
