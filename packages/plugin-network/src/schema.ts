import { LOG_RETENTION_DAYS, type JsonSchema } from '@mfinfra/core/plugin';
import { MAX_AZS } from './options.js';

const cidr = (description: string): JsonSchema => ({ type: 'string', maxLength: 43, description });
const cidrList = (description: string): JsonSchema => ({
  type: 'array',
  items: { type: 'string', maxLength: 43 },
  minItems: 2,
  maxItems: MAX_AZS,
  description,
});
const idList = (description: string, minItems: number): JsonSchema => ({
  type: 'array',
  items: { type: 'string', maxLength: 64 },
  minItems,
  maxItems: 64,
  uniqueItems: true,
  description,
});

/** JSON Schema of the `network:` section. CIDR and id rules live in `check` (clearer messages). */
export const networkSchema: JsonSchema = {
  type: 'object',
  description: 'The VPC that Metaflow compute and the metadata database run in: create one (create) or reuse one (existing).',
  additionalProperties: false,
  properties: {
    create: {
      type: ['object', 'null'],
      description: 'Create a VPC with public subnets in several availability zones, and optionally private subnets behind NAT.',
      additionalProperties: false,
      properties: {
        cidr: cidr('VPC CIDR block, /16 to /28 (default 10.20.0.0/16).'),
        azs: { type: 'integer', minimum: 2, maximum: MAX_AZS, description: `Availability zones to use, 2-${MAX_AZS} (default 2).` },
        private: {
          type: 'boolean',
          description:
            'Run workloads in private subnets that reach the internet through NAT gateways, so they need no public IP (default false: public subnets, public IPs).',
        },
        natGateways: {
          enum: ['single', 'per-az'],
          description: 'With private: one NAT gateway for all zones (cheaper), or one per zone (survives a zone outage). Default single.',
        },
        publicSubnetCidrs: cidrList('One public subnet CIDR per zone; computed from the VPC CIDR when absent.'),
        privateSubnetCidrs: cidrList('With private: one private subnet CIDR per zone; computed from the VPC CIDR when absent.'),
        s3Endpoint: { type: 'boolean', description: 'Add a free S3 gateway endpoint to every route table (default true).' },
        flowLogs: {
          description:
            'VPC flow logs. Leave out for all traffic to a CloudWatch Logs group kept 30 days; give s3BucketArn to deliver to S3 instead; false turns them off.',
          oneOf: [
            { const: false, description: 'false turns flow logs off.' },
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                trafficType: { enum: ['ALL', 'ACCEPT', 'REJECT'], description: 'Which traffic to log (default ALL).' },
                retentionDays: {
                  enum: LOG_RETENTION_DAYS,
                  description: 'Days CloudWatch Logs keeps the records (default 30).',
                },
                s3BucketArn: {
                  type: 'string',
                  maxLength: 2048,
                  pattern: '^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$',
                  description:
                    'Deliver to this bucket instead of CloudWatch Logs, e.g. arn:aws:s3:::my-logs/flow (its policy must let delivery.logs.amazonaws.com write).',
                },
              },
            },
          ],
        },
        restrictDefaultSecurityGroup: {
          type: 'boolean',
          description:
            "Remove every rule of the new VPC's default security group, so nothing placed in it by accident can send or receive (default true). Done at deploy time by a small Lambda-backed custom resource, because CloudFormation cannot manage the default group.",
        },
      },
    },
    existing: {
      type: 'object',
      description: 'Reuse a VPC and subnets that already exist; nothing is created.',
      additionalProperties: false,
      required: ['vpcId', 'subnetIds'],
      properties: {
        vpcId: { type: 'string', maxLength: 64, description: 'VPC id, e.g. vpc-0123456789abcdef0.' },
        subnetIds: idList('Subnets where workloads run, in at least two availability zones, e.g. [subnet-0123456789abcdef0, ...].', 1),
        publicSubnetIds: idList('Public subnets (for internet-facing load balancers).', 1),
        securityGroupIds: idList('Extra security groups for workloads, e.g. [sg-0123456789abcdef0].', 0),
        cidr: cidr("The VPC's CIDR block, used for ingress rules (e.g. 10.0.0.0/16)."),
        assignPublicIp: {
          type: 'boolean',
          description: 'The subnets have no NAT: give workloads public IPs so they can reach the internet (default false).',
        },
      },
    },
  },
};
