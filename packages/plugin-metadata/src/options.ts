import { LOG_RETENTION_DAYS, type DeepPartial, type JsonSchema } from '@mfinfra/core/plugin';
import { existingExcludes, existingSchema, type ExistingMetadata } from './existing.js';
import { POSTGRES_ENGINE_VERSIONS, POSTGRES_INSTANCE_CLASSES } from './generated/rdsPostgres.js';

/** How the deployment is meant to be used; picks the defaults that depend on it. */
export type Profile = 'production' | 'development';

/** The `metadata:` section after defaults. Fields marked optional fall back to the profile. */
export interface MetadataOptions {
  /** Use a service that runs already instead of creating one (see existing.ts). */
  existing?: ExistingMetadata;
  profile: Profile;
  image: string;
  cpu: number;
  memory: number;
  desiredCount?: number;
  containerInsights: boolean;
  access: 'internal' | 'api-gateway';
  allowedCidrs: string[];
  apiGateway: {
    endpointType: 'REGIONAL' | 'EDGE';
    allowedSourceCidrs: string[];
    throttle: { rateLimit: number; burstLimit: number };
    /** api-key (default): every method needs the shared key. iam: every method needs SigV4-signed requests (per-user IAM identity). */
    authorization: 'api-key' | 'iam';
    /** Stage logging: access logs (JSON) and execution logs to CloudWatch Logs. */
    logging: { accessLogs: boolean; executionLogLevel: 'OFF' | 'ERROR' | 'INFO'; retentionDays: number };
    /**
     * AWS WAF on the stage: absent → none; `{ managedRules: true }` → a web ACL this stack creates
     * (AWS managed common rule set + a per-address rate limit); `{ webAclArn }` → a web ACL you have.
     */
    waf?: { webAclArn?: string; rateLimitPer5Minutes?: number };
  };
  database: {
    engineVersion: string;
    instanceClass: string;
    allocatedStorage: number;
    maxAllocatedStorage: number;
    multiAz?: boolean;
    backupRetentionDays?: number;
    deletionProtection: boolean;
    name: string;
    username: string;
    sslMode: 'require' | 'verify-ca' | 'verify-full' | 'prefer';
    kmsKeyArn?: string;
    /** Rotation of the master password (a Secrets Manager schedule; the services are redeployed after each). */
    rotation: { enabled: boolean; days: number };
  };
  logs: { retentionDays: number; retainOnDelete: boolean };
  migrations: { backup: 'snapshot' | 'automated-backups' };
  /** Hardening of the service container that depends on what the image allows. */
  container: { readOnlyRootFilesystem: boolean; user?: string };
}

/** The metadata service image the official Metaflow CloudFormation template pins. */
export const DEFAULT_IMAGE = 'netflixoss/metaflow_metadata_service:v2.4.12';

/** The container's ports: the metadata service and the migration service. */
export const SERVICE_PORT = 8080;
export const MIGRATION_PORT = 8082;

/** Values that follow `profile` unless the manifest sets them. */
export const PROFILE_DEFAULTS: Record<Profile, { multiAz: boolean; backupRetentionDays: number; desiredCount: number }> = {
  production: { multiAz: true, backupRetentionDays: 7, desiredCount: 2 },
  development: { multiAz: false, backupRetentionDays: 1, desiredCount: 1 },
};

export const defaults: DeepPartial<MetadataOptions> = {
  profile: 'production',
  image: DEFAULT_IMAGE,
  cpu: 1024,
  memory: 4096,
  containerInsights: true,
  access: 'internal',
  allowedCidrs: [],
  apiGateway: {
    endpointType: 'REGIONAL',
    allowedSourceCidrs: [],
    throttle: { rateLimit: 100, burstLimit: 200 },
    authorization: 'api-key',
    logging: { accessLogs: true, executionLogLevel: 'ERROR', retentionDays: 30 },
  },
  database: {
    engineVersion: '17.9',
    instanceClass: 'db.t4g.small',
    allocatedStorage: 20,
    maxAllocatedStorage: 1000,
    deletionProtection: true,
    name: 'metaflow',
    username: 'metaflow',
    sslMode: 'require',
    rotation: { enabled: true, days: 30 },
  },
  logs: { retentionDays: 30, retainOnDelete: true },
  migrations: { backup: 'snapshot' },
  container: { readOnlyRootFilesystem: false },
};

/** CloudWatch Logs retention values. */

const IPV4_CIDR = '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$';

const cidrList = (description: string): JsonSchema => ({
  type: 'array',
  description,
  items: { type: 'string', pattern: IPV4_CIDR, description: 'An IPv4 CIDR block, e.g. 10.30.0.0/16.' },
  uniqueItems: true,
  maxItems: 50,
});

/** JSON Schema of the `metadata:` section (defaults live in `defaults`, documented here). */
export const schema: JsonSchema = {
  type: 'object',
  description:
    "Metaflow's metadata service: ECS Fargate tasks behind an internal network load balancer, with RDS PostgreSQL, in the shared network. Optionally public through API Gateway with an API key.",
  additionalProperties: false,
  dependencies: existingExcludes,
  properties: {
    existing: existingSchema,
    profile: {
      enum: ['production', 'development'],
      description:
        'Picks defaults for settings you leave out. production (default): Multi-AZ database, 7 days of backups, 2 service tasks. development: single-AZ database, 1 day of backups, 1 task. Settings you give always win; deletion protection and encryption are on in both.',
    },
    image: {
      type: 'string',
      minLength: 1,
      pattern: '^[a-z0-9][^\\s]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$',
      description: `Metadata service container image with an explicit tag or digest (default ${DEFAULT_IMAGE}). ECR images in this account get pull permissions automatically.`,
    },
    cpu: {
      enum: [256, 512, 1024, 2048, 4096, 8192, 16384],
      description: 'Fargate task CPU units (1024 = 1 vCPU; default 1024).',
    },
    memory: {
      type: 'integer',
      minimum: 512,
      maximum: 122880,
      description: 'Fargate task memory in MiB (default 4096); must be a combination Fargate allows for the chosen cpu.',
    },
    desiredCount: {
      type: 'integer',
      minimum: 1,
      maximum: 20,
      description: 'Number of service tasks (default: 2 for profile production, 1 for development).',
    },
    containerInsights: { type: 'boolean', description: 'CloudWatch Container Insights on the ECS cluster (default true).' },
    access: {
      enum: ['internal', 'api-gateway'],
      description:
        'internal (default): the service is reachable only inside the network, through an internal load balancer (METAFLOW_SERVICE_URL is its address). api-gateway: also public over HTTPS through API Gateway with a VPC link and a required API key; the key id is the stack output MetadataApiKeyId and its value becomes METAFLOW_SERVICE_AUTH_KEY after deploy.',
    },
    allowedCidrs: cidrList(
      'Extra networks allowed to reach the internal load balancer (ports 80 and 8082), e.g. a VPN or a peered VPC. The VPC itself (and the Batch compute security group, when batch is loaded) is always allowed.',
    ),
    apiGateway: {
      type: 'object',
      additionalProperties: false,
      description: 'Settings for access: api-gateway.',
      properties: {
        endpointType: { enum: ['REGIONAL', 'EDGE'], description: 'API Gateway endpoint type (default REGIONAL).' },
        allowedSourceCidrs: cidrList(
          'When set, the API refuses requests from any other source address (a resource policy), in addition to the API key.',
        ),
        throttle: {
          type: 'object',
          additionalProperties: false,
          description: 'Request throttling for the API key (usage plan) and stage.',
          properties: {
            rateLimit: { type: 'number', minimum: 1, maximum: 10000, description: 'Steady requests per second (default 100).' },
            burstLimit: { type: 'integer', minimum: 1, maximum: 5000, description: 'Burst size (default 200).' },
          },
        },
        authorization: {
          enum: ['api-key', 'iam'],
          description:
            "api-key (default): every method needs the one shared API key (METAFLOW_SERVICE_AUTH_KEY). iam: every method needs a SigV4-signed request from an IAM identity allowed execute-api:Invoke, so each user is known; Metaflow's client does not sign requests itself (use a signing proxy).",
        },
        logging: {
          type: 'object',
          additionalProperties: false,
          description: 'Stage logs in CloudWatch Logs (on by default).',
          properties: {
            accessLogs: {
              type: 'boolean',
              description: 'One JSON line per request: caller, method, path, status, latency (default true).',
            },
            executionLogLevel: {
              enum: ['OFF', 'ERROR', 'INFO'],
              description:
                'Execution logging of every method (default ERROR; INFO logs every request, at more cost). Request bodies are never logged.',
            },
            retentionDays: { enum: LOG_RETENTION_DAYS, description: 'Days to keep the access log (default 30).' },
          },
        },
        waf: {
          type: 'object',
          additionalProperties: false,
          description:
            'AWS WAF on the stage (off unless given; about $5/month for the web ACL and $1/month per rule, plus $0.60 per million requests). {} creates a web ACL with the AWS managed common rule set and a per-address rate limit; webAclArn attaches one you have.',
          properties: {
            webAclArn: {
              type: 'string',
              pattern: '^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/[A-Za-z0-9_-]+/[a-f0-9-]+$',
              description: 'A regional WAFv2 web ACL to attach instead of creating one.',
            },
            rateLimitPer5Minutes: {
              type: 'integer',
              minimum: 10,
              maximum: 2000000000,
              description: 'With the created web ACL: requests one address may make in 5 minutes before it is blocked (default 2000).',
            },
          },
        },
      },
    },
    database: {
      type: 'object',
      additionalProperties: false,
      description:
        'The RDS PostgreSQL instance. Always encrypted, never publicly accessible, password generated into Secrets Manager, kept as a snapshot when deleted or replaced.',
      properties: {
        engineVersion: {
          // RDS's PostgreSQL versions and instance classes, from the table cfn-lint ships (scripts/extract-aws-tables.py).
          enum: POSTGRES_ENGINE_VERSIONS.filter((v) => /^[0-9]{2}\.[0-9]+$/.test(v)),
          description: 'PostgreSQL major.minor version (default 17.9). Minor versions are upgraded automatically in maintenance windows.',
        },
        instanceClass: {
          enum: [...POSTGRES_INSTANCE_CLASSES],
          description: 'DB instance class (default db.t4g.small).',
        },
        allocatedStorage: { type: 'integer', minimum: 20, maximum: 65536, description: 'Initial gp3 storage in GiB (default 20).' },
        maxAllocatedStorage: {
          type: 'integer',
          minimum: 21,
          maximum: 65536,
          description: 'Storage autoscaling limit in GiB (default 1000); must be larger than allocatedStorage.',
        },
        multiAz: {
          type: 'boolean',
          description: 'A standby in a second availability zone (default: true for profile production, false for development).',
        },
        backupRetentionDays: {
          type: 'integer',
          minimum: 1,
          maximum: 35,
          description: 'Days of automated backups (default: 7 for profile production, 1 for development).',
        },
        deletionProtection: { type: 'boolean', description: 'RDS deletion protection (default true in every profile).' },
        name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$', description: 'Database name (default metaflow).' },
        username: {
          type: 'string',
          pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$',
          not: { enum: ['postgres', 'rdsadmin', 'admin', 'master'] },
          description: 'Master user name (default metaflow). Its password is generated into Secrets Manager.',
        },
        sslMode: {
          enum: ['require', 'verify-ca', 'verify-full', 'prefer'],
          description: 'MF_METADATA_DB_SSL_MODE for the service (default require; RDS PostgreSQL 15+ refuses unencrypted connections).',
        },
        kmsKeyArn: {
          type: 'string',
          pattern: '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$',
          description: 'Customer managed KMS key for storage encryption (default: the AWS managed aws/rds key).',
        },
        rotation: {
          type: 'object',
          additionalProperties: false,
          description:
            'Rotation of the master password in Secrets Manager (on by default): a function sets a new password with RDS (no reboot, no change to the database resource) and then redeploys the ECS services that read the secret (the metadata service, the UI backend), whose tasks read the password only when they start. Each rotation is a rolling restart of those services.',
          properties: {
            enabled: { type: 'boolean', description: 'Rotate the password on a schedule (default true).' },
            days: { type: 'integer', minimum: 1, maximum: 365, description: 'Days between rotations (default 30).' },
          },
        },
      },
    },
    migrations: {
      type: 'object',
      additionalProperties: false,
      description:
        "Database schema migrations run themselves: when the image changes, after the service runs it, a function reads /db_schema_status on the migration service (port 8082), backs up, PATCHes /upgrade, reads the status again and restarts the service tasks. A failed upgrade fails the deployment with the service's answer.",
      properties: {
        backup: {
          enum: ['snapshot', 'automated-backups'],
          description:
            'What must be true before an upgrade: snapshot (default) takes a manual RDS snapshot <db>-pre-migration-<time> and waits until it is available; automated-backups checks that automated backups are on and restorable instead.',
        },
      },
    },
    logs: {
      type: 'object',
      additionalProperties: false,
      description: "The service's CloudWatch log group.",
      properties: {
        retentionDays: {
          enum: LOG_RETENTION_DAYS,
          description: 'Days to keep log events (default 30).',
        },
        retainOnDelete: { type: 'boolean', description: 'Keep the log group when the stack or the section is deleted (default true).' },
      },
    },
    container: {
      type: 'object',
      additionalProperties: false,
      description: 'Hardening of the service container that depends on what the image allows.',
      properties: {
        readOnlyRootFilesystem: {
          type: 'boolean',
          description:
            'Mount the root filesystem read-only, with a writable scratch volume at /tmp (default false: the default image writes the service version it should run into a file beside its code at every start, so it cannot start read-only; use this with an image built to write only to /tmp).',
        },
        user: {
          type: 'string',
          pattern: '^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$',
          description:
            "Run as this user (name or uid[:gid]) instead of the image default (default: the image's user, root for the default image, whose code lives under /root, which only root may read in its Debian-based image). The image must let that user read its code and write what it writes.",
        },
      },
    },
  },
};

/** The settings after the profile has filled in what the manifest left out. */
export interface ResolvedSettings {
  multiAz: boolean;
  backupRetentionDays: number;
  desiredCount: number;
}

export function resolveSettings(options: MetadataOptions): ResolvedSettings {
  const p = PROFILE_DEFAULTS[options.profile];
  return {
    multiAz: options.database.multiAz ?? p.multiAz,
    backupRetentionDays: options.database.backupRetentionDays ?? p.backupRetentionDays,
    desiredCount: options.desiredCount ?? p.desiredCount,
  };
}
