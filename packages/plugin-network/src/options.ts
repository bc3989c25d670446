/** The `network:` section of the manifest. Exactly one of `create` or `existing` (neither means create). */
export interface NetworkOptions {
  /** `create:` with no value (null) means create with every default. */
  create?: CreateNetworkOptions | null;
  existing?: ExistingNetworkOptions;
}

export interface CreateNetworkOptions {
  /** VPC CIDR block (default 10.20.0.0/16). */
  cidr?: string;
  /** Availability zones to spread subnets over (2-6, default 2). */
  azs?: number;
  /** Put workloads in private subnets that reach the internet through NAT (default false). */
  private?: boolean;
  /** With `private`: one NAT gateway shared by all zones, or one per zone (default single). */
  natGateways?: 'single' | 'per-az';
  /** One CIDR per zone; computed from the VPC CIDR when absent. */
  publicSubnetCidrs?: string[];
  privateSubnetCidrs?: string[];
  /** A gateway endpoint for S3 on every route table (default true; free, and keeps S3 traffic off NAT). */
  s3Endpoint?: boolean;
  /**
   * VPC flow logs (default: all traffic to a CloudWatch Logs group kept 30 days). `{ s3BucketArn }`
   * delivers to a bucket instead; `false` turns them off.
   */
  flowLogs?: FlowLogOptions | false;
  /**
   * Remove every rule from the VPC's default security group (default true), so a resource that
   * lands in it by accident can neither receive nor send anything. Done by a small custom resource.
   */
  restrictDefaultSecurityGroup?: boolean;
}

export interface FlowLogOptions {
  /** ALL (default), ACCEPT or REJECT. */
  trafficType?: 'ALL' | 'ACCEPT' | 'REJECT';
  /** CloudWatch Logs retention in days (default 30). */
  retentionDays?: number;
  /** Deliver to this S3 bucket (ARN, optionally with a /prefix) instead of CloudWatch Logs. */
  s3BucketArn?: string;
}

export interface ExistingNetworkOptions {
  vpcId: string;
  /** Where workloads run (Batch, Fargate, RDS). */
  subnetIds: string[];
  /** Public subnets (for internet-facing load balancers); default: subnetIds when assignPublicIp, else none. */
  publicSubnetIds?: string[];
  /** Extra security groups to attach to workloads. */
  securityGroupIds?: string[];
  /** The VPC's CIDR block, for ingress rules other plugins write. */
  cidr?: string;
  /** The subnets have no NAT: workloads need a public IP to reach the internet (default false). */
  assignPublicIp?: boolean;
}

export const DEFAULT_FLOW_LOG_RETENTION_DAYS = 30;
export const DEFAULT_VPC_CIDR = '10.20.0.0/16';
export const DEFAULT_AZS = 2;
export const MAX_AZS = 6;
/** AWS allows VPC and subnet IPv4 blocks between /16 and /28. */
export const MIN_PREFIX = 16;
export const MAX_PREFIX = 28;

/** Create options with every default filled in. */
export type ResolvedCreateOptions = Required<Omit<CreateNetworkOptions, 'publicSubnetCidrs' | 'privateSubnetCidrs' | 'flowLogs'>> &
  Pick<CreateNetworkOptions, 'publicSubnetCidrs' | 'privateSubnetCidrs'> & { flowLogs: FlowLogOptions | false };

export function resolveCreate(given: CreateNetworkOptions | null | undefined): ResolvedCreateOptions {
  const options = given ?? {};
  return {
    cidr: options.cidr ?? DEFAULT_VPC_CIDR,
    azs: options.azs ?? DEFAULT_AZS,
    private: options.private ?? false,
    natGateways: options.natGateways ?? 'single',
    s3Endpoint: options.s3Endpoint ?? true,
    flowLogs: options.flowLogs ?? {},
    restrictDefaultSecurityGroup: options.restrictDefaultSecurityGroup ?? true,
    publicSubnetCidrs: options.publicSubnetCidrs,
    privateSubnetCidrs: options.privateSubnetCidrs,
  };
}
