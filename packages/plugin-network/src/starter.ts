/**
 * The section `mfinfra init` writes for this plugin (the plugin's `starter`): small, valid on its
 * own, with the settings people change first shown as comments.
 */
export const starter = `# The VPC that Batch jobs and the metadata service run in.
network:
  create:
    cidr: 10.20.0.0/16
    azs: 2
    private: true                         # workloads in private subnets behind a NAT gateway
  # existing: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210] }
`;
