import { LOG_RETENTION_DAYS, type DeepPartial, type JsonSchema } from '@mfinfra/core/plugin';

/** The `ui:` section after defaults. */
export interface UiOptions {
  domainName: string;
  certificateArn: string;
  hostedZoneId?: string;
  internetFacing: boolean;
  allowedCidrs: string[];
  auth: {
    provider: 'cognito' | 'oidc';
    sessionTimeoutSeconds: number;
    cognito: { mfa: 'optional' | 'required'; threatProtection: 'off' | 'audit' | 'enforced' };
    oidc?: {
      issuer: string;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      userInfoEndpoint: string;
      clientId: string;
      clientSecretArn: string;
      clientSecretKey?: string;
      /** Unset: {@link DEFAULT_OIDC_SCOPE}. */
      scope?: string;
    };
  };
  accessLogs: { bucket?: string; prefix: string; retentionDays: number };
  backend: { image?: string; cpu: number; memory: number; ephemeralStorageGiB: number; desiredCount: number };
  staticUi: { image: string; cpu: number; memory: number; desiredCount: number };
  logs: { retentionDays: number; retainOnDelete: boolean };
}

/** The scopes the OIDC action requests when `ui.auth.oidc.scope` is not set (the schema documents it). */
export const DEFAULT_OIDC_SCOPE = 'openid email';

/** The static UI image the official Metaflow CloudFormation template pins. */
export const DEFAULT_STATIC_IMAGE = 'public.ecr.aws/outerbounds/metaflow_ui:v1.2.4';

/** Container ports: the UI backend (the metadata service image in UI mode) and the static UI. */
export const BACKEND_PORT = 8083;
export const STATIC_PORT = 3000;

export const defaults: DeepPartial<UiOptions> = {
  internetFacing: false,
  allowedCidrs: [],
  auth: { provider: 'cognito', sessionTimeoutSeconds: 28800, cognito: { mfa: 'optional', threatProtection: 'off' } },
  accessLogs: { prefix: 'ui-alb', retentionDays: 90 },
  backend: { cpu: 2048, memory: 16384, ephemeralStorageGiB: 100, desiredCount: 1 },
  staticUi: { image: DEFAULT_STATIC_IMAGE, cpu: 512, memory: 1024, desiredCount: 1 },
  logs: { retentionDays: 30, retainOnDelete: true },
};

const IPV4_CIDR = '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$';
const IMAGE = '^[a-z0-9][^\\s]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$';
const HTTPS_URL = '^https://[^\\s]+$';
const SECRET_ARN = '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$';

/** JSON Schema of the `ui:` section (defaults live in `defaults`, documented here). */
export const schema: JsonSchema = {
  type: 'object',
  description:
    'The Metaflow UI: the UI backend (the metadata service image in UI mode) and the static UI on ECS Fargate in the metadata cluster, behind an HTTPS application load balancer that always authenticates (Cognito or your OIDC provider). Internal by default.',
  additionalProperties: false,
  required: ['domainName', 'certificateArn'],
  properties: {
    domainName: {
      type: 'string',
      pattern: '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
      description:
        'The DNS name people open the UI at (lowercase), e.g. metaflow.example.com. The certificate must cover it; METAFLOW_UI_URL is https://<domainName>/ and the sign-in callback is https://<domainName>/oauth2/idpresponse.',
    },
    certificateArn: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$',
      description: 'ACM certificate (in the stack region) for domainName; the load balancer serves only HTTPS with it.',
    },
    hostedZoneId: {
      type: 'string',
      pattern: '^Z[A-Z0-9]{1,31}$',
      description:
        'Route 53 hosted zone to create an alias record domainName → load balancer in (default: no record; point your DNS at the stack output UiLoadBalancerDnsName).',
    },
    internetFacing: {
      type: 'boolean',
      description:
        'false (default): an internal load balancer reachable from the VPC and allowedCidrs (VPN, peered networks). true: internet-facing in the public subnets, reachable only from allowedCidrs, which must then be set.',
    },
    allowedCidrs: {
      type: 'array',
      description: 'Networks allowed to reach the UI on port 443. The VPC is always allowed when the load balancer is internal.',
      items: { type: 'string', pattern: IPV4_CIDR, description: 'An IPv4 CIDR block, e.g. 203.0.113.0/24.' },
      uniqueItems: true,
      maxItems: 50,
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      description: 'Who may open the UI. Authentication is always on: every listener action authenticates before forwarding.',
      properties: {
        provider: {
          enum: ['cognito', 'oidc'],
          description:
            'cognito (default): a Cognito user pool created for the UI, users created only by an administrator (stack output UiUserPoolId). oidc: your existing OpenID Connect identity provider (set oidc).',
        },
        sessionTimeoutSeconds: {
          type: 'integer',
          minimum: 300,
          maximum: 604800,
          description: 'How long a sign-in lasts before the load balancer asks again (default 28800 = 8 hours).',
        },
        cognito: {
          type: 'object',
          additionalProperties: false,
          description: 'Settings of the Cognito user pool (provider cognito).',
          properties: {
            mfa: {
              enum: ['optional', 'required'],
              description: 'Authenticator-app MFA: optional (default, users may turn it on) or required for every user.',
            },
            threatProtection: {
              enum: ['off', 'audit', 'enforced'],
              description:
                "Cognito threat protection (compromised-credential and adaptive-authentication checks), which needs the Plus feature plan, billed per monthly active user (about $0.02 each; see Cognito's pricing): off (default), audit (log risks only) or enforced (block risky sign-ins).",
            },
          },
        },
        oidc: {
          type: 'object',
          additionalProperties: false,
          description: "Your OIDC provider (provider oidc). The endpoints are in the issuer's /.well-known/openid-configuration.",
          required: ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'userInfoEndpoint', 'clientId', 'clientSecretArn'],
          properties: {
            issuer: { type: 'string', pattern: HTTPS_URL, description: 'The issuer URL, e.g. https://login.example.com.' },
            authorizationEndpoint: { type: 'string', pattern: HTTPS_URL, description: 'The authorization endpoint URL.' },
            tokenEndpoint: { type: 'string', pattern: HTTPS_URL, description: 'The token endpoint URL.' },
            userInfoEndpoint: { type: 'string', pattern: HTTPS_URL, description: 'The user info endpoint URL.' },
            clientId: { type: 'string', minLength: 1, maxLength: 256, description: 'The client id registered for the UI.' },
            clientSecretArn: {
              type: 'string',
              pattern: SECRET_ARN,
              description: 'Secrets Manager secret holding the client secret; it never appears in the manifest or the template.',
            },
            clientSecretKey: {
              type: 'string',
              pattern: '^[A-Za-z0-9_.-]{1,128}$',
              description: 'JSON key of the client secret inside the secret (default: the whole secret string is the client secret).',
            },
            scope: { type: 'string', minLength: 1, description: 'Scopes to request (default "openid email").' },
          },
        },
      },
    },
    accessLogs: {
      type: 'object',
      additionalProperties: false,
      description: 'Load balancer access logs (always on).',
      properties: {
        bucket: {
          type: 'string',
          pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
          description:
            'An existing bucket that already lets Elastic Load Balancing write logs (default: a private, retained, SSE-S3 bucket created for the logs).',
        },
        prefix: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Key prefix of the logs (default ui-alb).' },
        retentionDays: {
          type: 'integer',
          minimum: 1,
          maximum: 3650,
          description: 'Days before log objects expire in the created bucket (default 90; ignored with bucket).',
        },
      },
    },
    backend: {
      type: 'object',
      additionalProperties: false,
      description: 'The UI backend: the metadata service image run as the UI server (UI_ENABLED=1) on port 8083, serving /api/*.',
      properties: {
        image: {
          type: 'string',
          pattern: IMAGE,
          description: "Image with an explicit tag or digest (default: the metadata plugin's image, so both read the same schema).",
        },
        cpu: { enum: [256, 512, 1024, 2048, 4096, 8192, 16384], description: 'Fargate CPU units (default 2048).' },
        memory: { type: 'integer', minimum: 512, maximum: 122880, description: 'Fargate memory in MiB (default 16384).' },
        ephemeralStorageGiB: {
          type: 'integer',
          minimum: 21,
          maximum: 200,
          description: 'Task scratch space in GiB for the artifact cache (default 100).',
        },
        desiredCount: { type: 'integer', minimum: 1, maximum: 10, description: 'Number of backend tasks (default 1).' },
      },
    },
    staticUi: {
      type: 'object',
      additionalProperties: false,
      description: 'The static UI (the metaflow_ui image) on port 3000, serving everything except /api/*.',
      properties: {
        image: { type: 'string', pattern: IMAGE, description: `Image with an explicit tag or digest (default ${DEFAULT_STATIC_IMAGE}).` },
        cpu: { enum: [256, 512, 1024, 2048, 4096], description: 'Fargate CPU units (default 512).' },
        memory: { type: 'integer', minimum: 512, maximum: 30720, description: 'Fargate memory in MiB (default 1024).' },
        desiredCount: { type: 'integer', minimum: 1, maximum: 10, description: 'Number of static UI tasks (default 1).' },
      },
    },
    logs: {
      type: 'object',
      additionalProperties: false,
      description: "The UI containers' CloudWatch log group.",
      properties: {
        retentionDays: { enum: LOG_RETENTION_DAYS, description: 'Days to keep log events (default 30).' },
        retainOnDelete: { type: 'boolean', description: 'Keep the log group when the stack or the section is deleted (default true).' },
      },
    },
  },
};
