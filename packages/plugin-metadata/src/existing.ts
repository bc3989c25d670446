/**
 * `metadata.existing`: point Metaflow at a metadata service that already runs (the manual guide's
 * Fargate service, the official template's API Gateway, another stack's). Nothing is created. The
 * auth key is never in the manifest: only where it comes from (an API Gateway key id, or a Secrets
 * Manager secret), read after deploy (`deployedOutputs`) like the key of a created service. Offline
 * the URLs, ids and ARNs are checked for shape; at plan/apply `verify` checks them against AWS.
 */
import {
  keysRefusedWithExisting,
  parseArn,
  undefinedIfNotFound,
  type CfnValue,
  type ConfigOutputValue,
  type DeployedContext,
  type DeployedOutput,
  type JsonSchema,
  type LiveContext,
  type PluginContext,
  type StackOutput,
} from '@mfinfra/core/plugin';
import { apiKeyOutputs, SERVICE_AUTH_KEY } from './apiKey.js';

export interface ExistingMetadata {
  /** METAFLOW_SERVICE_URL */
  serviceUrl: string;
  /** METAFLOW_SERVICE_INTERNAL_URL (Metaflow uses serviceUrl when absent). */
  internalUrl?: string;
  /** Where METAFLOW_SERVICE_AUTH_KEY comes from: an API Gateway key, or a Secrets Manager secret. */
  authKey?: { apiKeyId: string } | { secret: string; jsonKey?: string };
}

const SECRET_PATTERN = '^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}|[A-Za-z0-9/_+=.@-]{1,512})$';

const URL_PATTERN = '^https?://[^\\s/?#]+(/[^\\s]*)?$';

export const existingSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['serviceUrl'],
  description:
    'Use a metadata service that already runs; nothing is created. Its auth key is never written here, only where it comes from.',
  properties: {
    serviceUrl: {
      type: 'string',
      maxLength: 2048,
      pattern: URL_PATTERN,
      description: 'METAFLOW_SERVICE_URL: the URL clients use, e.g. https://abc123.execute-api.us-west-2.amazonaws.com/api/',
    },
    internalUrl: {
      type: 'string',
      maxLength: 2048,
      pattern: URL_PATTERN,
      description:
        'METAFLOW_SERVICE_INTERNAL_URL: the URL Batch and Step Functions tasks use from inside the network, e.g. http://internal-nlb.elb.us-west-2.amazonaws.com/ (default: Metaflow uses serviceUrl).',
    },
    authKey: {
      description:
        "Where METAFLOW_SERVICE_AUTH_KEY comes from (sent as the x-api-key header): an API Gateway key id, or a Secrets Manager secret. After apply, mfinfra reads the value and writes it only to Metaflow's config file; it is never in the manifest, the template or the stack.",
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['apiKeyId'],
          properties: {
            apiKeyId: {
              type: 'string',
              pattern: '^[a-z0-9]{10}$',
              description:
                'The API Gateway API key id (10 letters and digits, e.g. a1b2c3d4e5; aws apigateway get-api-keys), not its value.',
            },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['secret'],
          properties: {
            secret: {
              type: 'string',
              maxLength: 2048,
              pattern: SECRET_PATTERN,
              description: 'The Secrets Manager secret holding the key: its name or ARN (not the key itself).',
            },
            jsonKey: {
              type: 'string',
              minLength: 1,
              maxLength: 256,
              description: 'When the secret is a JSON object: the field that holds the key (default: the whole secret string is the key).',
            },
          },
        },
      ],
    },
  },
};

/** With `existing`, every key that would configure a created service is refused at its position. */
const CREATING_KEYS = [
  'profile',
  'image',
  'cpu',
  'memory',
  'desiredCount',
  'containerInsights',
  'access',
  'allowedCidrs',
  'apiGateway',
  'database',
  'migrations',
  'logs',
  'container',
] as const;
export const existingExcludes: JsonSchema = keysRefusedWithExisting(
  CREATING_KEYS,
  (k) =>
    `metadata.existing uses a service that runs already and creates nothing: remove ${k}, or remove existing to let mfinfra create the service`,
);

export function checkExisting(ctx: PluginContext, existing: ExistingMetadata): void {
  if (ctx.loaded.has('ui')) {
    ctx.report('the Metaflow UI reads the metadata database, which an existing metadata service does not share with this stack', {
      path: ['existing'],
      code: 'METADATA_EXISTING_WITH_UI',
      hint: 'remove ui from plugins, or let mfinfra create the metadata service (remove metadata.existing)',
    });
  }
  if (existing.authKey && !existing.serviceUrl.startsWith('https://')) {
    ctx.warn(`the auth key would be sent in clear text: serviceUrl ${existing.serviceUrl} is not HTTPS`, {
      path: ['existing', 'serviceUrl'],
      code: 'METADATA_KEY_OVER_HTTP',
      hint: 'use the service through HTTPS (API Gateway or a TLS load balancer)',
    });
  }
}

export function existingOutputs(existing: ExistingMetadata): Record<string, ConfigOutputValue> {
  const out: Record<string, ConfigOutputValue> = {
    METAFLOW_DEFAULT_METADATA: { value: 'service', description: 'use the metadata service' },
    METAFLOW_SERVICE_URL: { value: existing.serviceUrl, description: 'the existing metadata service' },
  };
  if (existing.internalUrl) {
    out.METAFLOW_SERVICE_INTERNAL_URL = {
      value: existing.internalUrl,
      description: 'the existing metadata service from inside the network',
    };
  }
  return out;
}

/** The key id as a stack Output (informative: teammates see which key the deployment uses). */
export function existingStackOutputs(existing: ExistingMetadata, apiKeyIdOutput: string): Record<string, StackOutput> {
  if (!existing.authKey || !('apiKeyId' in existing.authKey)) return {};
  return {
    [apiKeyIdOutput]: {
      value: existing.authKey.apiKeyId as CfnValue,
      description: 'id of the existing API key; its value is METAFLOW_SERVICE_AUTH_KEY',
    },
  };
}

/** After deploy: the auth key's value, from the API key or the secret the manifest names. */
export async function existingDeployedOutputs(ctx: DeployedContext, existing: ExistingMetadata): Promise<Record<string, DeployedOutput>> {
  const auth = existing.authKey;
  if (!auth) return {};
  if ('apiKeyId' in auth) return apiKeyOutputs(ctx, auth.apiKeyId);
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const sm = ctx.aws.client(SecretsManagerClient);
  const { SecretString } = await ctx.awsCall(`read secret ${auth.secret} (the value of ${SERVICE_AUTH_KEY})`, (abortSignal) =>
    sm.send(new GetSecretValueCommand({ SecretId: auth.secret }), { abortSignal }),
  );
  if (!SecretString) ctx.missing(`secret ${auth.secret} for ${SERVICE_AUTH_KEY} has no string value`, 'store the key as the secret string');
  if (auth.jsonKey === undefined) return { [SERVICE_AUTH_KEY]: { value: SecretString, secret: true } };
  let value: unknown;
  try {
    value = (JSON.parse(SecretString) as Record<string, unknown>)[auth.jsonKey];
  } catch {
    ctx.missing(
      `secret ${auth.secret} is not a JSON object, so it has no field ${auth.jsonKey}`,
      'remove jsonKey to use the whole secret string',
    );
  }
  if (typeof value !== 'string' || value === '') {
    ctx.missing(
      `secret ${auth.secret} has no string field ${auth.jsonKey} for ${SERVICE_AUTH_KEY}`,
      'check jsonKey against the fields of the secret',
    );
  }
  return { [SERVICE_AUTH_KEY]: { value, secret: true } };
}

/** At plan/apply: the API key exists and is enabled, or the secret exists (values are read only after deploy). */
export async function verifyExisting(ctx: LiveContext, existing: ExistingMetadata): Promise<void> {
  const auth = existing.authKey;
  if (!auth) return;
  const signal = ctx.signal ? { abortSignal: ctx.signal } : {};
  if ('secret' in auth) {
    const path = ['existing', 'authKey', 'secret'];
    const arn = auth.secret.startsWith('arn:') ? parseArn(auth.secret) : undefined;
    if (arn && arn.region !== ctx.aws.region) {
      ctx.report(`secret ${auth.secret} is in ${arn.region}, but this deploy goes to ${ctx.aws.region}`, {
        path,
        code: 'METADATA_SECRET_OTHER_REGION',
        hint: `mfinfra reads the key in ${ctx.aws.region}: replicate the secret there, or deploy to ${arn.region}`,
      });
      return;
    }
    const { DescribeSecretCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const secrets = ctx.aws.client(SecretsManagerClient);
    const found = await undefinedIfNotFound('ResourceNotFoundException', () =>
      secrets.send(new DescribeSecretCommand({ SecretId: auth.secret }), signal),
    );
    if (!found?.ARN) {
      ctx.report(`secret ${auth.secret} does not exist in ${ctx.aws.region}`, {
        path,
        code: 'METADATA_SECRET_NOT_FOUND',
        hint: 'give the name or ARN of the secret that holds the key (aws secretsmanager list-secrets)',
      });
    } else if (found.DeletedDate) {
      ctx.report(`secret ${auth.secret} is scheduled for deletion`, {
        path,
        code: 'METADATA_SECRET_DELETED',
        hint: `restore it (aws secretsmanager restore-secret --secret-id ${auth.secret})`,
      });
    }
    return;
  }
  const { APIGatewayClient, GetApiKeyCommand } = await import('@aws-sdk/client-api-gateway');
  const id = auth.apiKeyId;
  const path = ['existing', 'authKey', 'apiKeyId'];
  const apiGateway = ctx.aws.client(APIGatewayClient);
  const key = await undefinedIfNotFound('NotFoundException', () =>
    apiGateway.send(new GetApiKeyCommand({ apiKey: id, includeValue: false }), signal),
  );
  if (!key?.id) {
    ctx.report(`API key ${id} does not exist in ${ctx.aws.region}`, {
      path,
      code: 'METADATA_API_KEY_NOT_FOUND',
      hint: 'give the key id (aws apigateway get-api-keys --query "items[].[id,name]"), not its value or name',
    });
  } else if (key.enabled === false) {
    ctx.report(`API key ${id}${key.name ? ` (${key.name})` : ''} is disabled: the service would refuse it`, {
      path,
      code: 'METADATA_API_KEY_DISABLED',
      hint: `enable it (aws apigateway update-api-key --api-key ${id} --patch-operations op=replace,path=/enabled,value=true)`,
    });
  }
}
