/**
 * Starter sections `mfinfra init` writes for the first-party plugins: small, valid on their own,
 * with the settings people change first shown as comments. Core knows these plugins' short names
 * and manifest shapes, never their code.
 */

/** The first-party plugins in the order a manifest lists them (dependencies first). */
export const FIRST_PARTY_ORDER = ['datastore', 'network', 'batch', 'metadata', 'scheduling', 'ui', 'access', 'notebook'] as const;

/** What `mfinfra init` picks when nobody says otherwise: the whole Metaflow stack (no UI, which needs a domain and certificate). */
export const DEFAULT_PLUGINS: readonly string[] = ['datastore', 'network', 'batch', 'metadata', 'scheduling'];

/** One starter section: YAML text starting at column 0, ending with a newline. */
export const STARTER_SECTIONS: Readonly<Record<string, string>> = {
  datastore: `# Metaflow's S3 datastore: a private, encrypted, TLS-only bucket, kept when the stack is deleted.
datastore:
  bucket:
    versioning: true
    # encryption: { type: sse-kms }       # a KMS key with rotation, instead of S3-managed keys
  sysroot: metaflow                       # METAFLOW_DATASTORE_SYSROOT_S3 = s3://<bucket>/metaflow
  # existing: { bucket: my-bucket }       # reuse a bucket instead of creating one (remove bucket:)
`,
  network: `# The VPC that Batch jobs and the metadata service run in.
network:
  create:
    cidr: 10.20.0.0/16
    azs: 2
    private: true                         # workloads in private subnets behind a NAT gateway
  # existing: { vpcId: vpc-0123456789abcdef0, subnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210] }
`,
  batch: `# AWS Batch: where @batch steps run.
batch:
  computeEnvironments:
    - { name: cpu, provisioning: spot, instanceTypes: [c6i, m6i], maxVcpus: 64 }
    # - { name: gpu, instanceTypes: [g5], maxVcpus: 32 }
  jobQueues:
    - { name: default, computeEnvironments: [cpu], default: true }
`,
  metadata: `# Metaflow's metadata service (ECS Fargate + PostgreSQL on RDS, never public).
metadata:
  profile: development                    # production: Multi-AZ database, 2 tasks, 7-day backups
  access: internal                        # or api-gateway: an API key-protected public endpoint
`,
  scheduling: `# Step Functions and EventBridge for \`step-functions create\` and @schedule.
scheduling: {}
`,
  ui: `# The Metaflow UI behind an internal HTTPS load balancer; everyone signs in (Cognito users you create).
ui:
  domainName: metaflow.example.com        # replace: the name people open; the certificate must cover it
  certificateArn: arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000000  # replace: your ACM certificate
  # hostedZoneId: Z0123456789ABCDEFGHIJ   # a Route 53 alias record for domainName
  # allowedCidrs: [10.99.0.0/16]          # e.g. your VPN, besides the VPC
  # auth: { provider: oidc, oidc: { issuer: https://login.example.com, ... } }  # your identity provider instead
`,
  access: `# A least-privilege policy (stack output AccessUserPolicyArn) for the people who run flows.
access:
  readStackOutputs: true                  # users may run \`mfinfra outputs\` to write their Metaflow config
  # role:                                 # a role they assume instead of attaching the policy
  #   trustedPrincipals: [arn:aws:iam::123456789012:role/ml-engineers]
  #   requireMfa: true
`,
  notebook: `# A SageMaker notebook in a private subnet, encrypted, with this deployment's Metaflow config.
notebook:
  instanceType: ml.t3.medium
  # volumeSizeGiB: 50
`,
};
