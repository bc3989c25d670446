import { definePlugin, getAtt, ref, sub, type CfnResource, type CfnValue } from '@mfinfra/core/plugin';
import { apiGatewayResources, apiUrl } from './apiGateway.js';
import { API_KEY_ID_OUTPUT, apiKeyOutputs } from './apiKey.js';
import { checkMetadata } from './check.js';
import {
  checkExisting,
  existingDeployedOutputs,
  existingOutputs,
  existingStackOutputs,
  verifyExisting,
  type ExistingMetadata,
} from './existing.js';
import { DB_PORT, databaseResources } from './database.js';
import { ID } from './ids.js';
import { loadBalancerResources, loadBalancerSources } from './loadBalancer.js';
import { migrationResources } from './migration.js';
import { rotationResources } from './rotation.js';
import { defaults, resolveSettings, schema, type MetadataOptions, type ResolvedSettings } from './options.js';
import type { BatchApi, NetworkApi } from './peerApis.js';
import { serviceResources } from './service.js';
import { starter } from './starter.js';

/** What other plugins may read with `ctx.use('metadata')`. */
export interface MetadataApi {
  /** `http://<internal load balancer>/`: reachable from inside the network. */
  internalUrl: CfnValue;
  /** The URL clients use: API Gateway when `access: api-gateway`, else the internal URL. */
  serviceUrl: CfnValue;
  /** Security group of the service tasks (the database accepts only this group). */
  serviceSecurityGroupId: CfnValue;
  /** Security group of the internal load balancer: add ingress here to let more clients in. */
  loadBalancerSecurityGroupId: CfnValue;
  /** The ECS cluster the service runs in (other Fargate services of the deployment may join it). */
  cluster: { name: CfnValue; arn: CfnValue };
  /** The metadata service image (the Metaflow UI backend runs the same image). */
  image: string;
  /** The database, for services that read it directly (the UI backend). */
  database: MetadataDatabaseInfo;
  /** With `access: api-gateway`: the API key's id (people who run flows read its value). */
  apiKeyId?: CfnValue;
}

/**
 * What `ctx.use('metadata')` gives with `metadata.existing`: only how to reach the service (nothing
 * of it is this stack's). Plugins that need more (the UI reads the database) are refused in check.
 */
export interface ExistingMetadataApi {
  existing: true;
  internalUrl: CfnValue;
  serviceUrl: CfnValue;
  apiKeyId?: CfnValue;
}

/** How to reach the metadata database; the password is only in the secret (for ECS `Secrets`). */
export interface MetadataDatabaseInfo {
  host: CfnValue;
  port: number;
  name: string;
  username: string;
  sslMode: string;
  /** Secrets Manager secret with `username` and `password` keys. */
  secretArn: CfnValue;
  /** The database's security group: add a PostgreSQL ingress rule from your own group to connect. */
  securityGroupId: CfnValue;
}

export { API_KEY_ID_OUTPUT } from './apiKey.js';

/**
 * The metadata section resolved once per compile (see `resolve`): what other plugins read (with
 * `apiKeyId` when there is an API key), and the settings the profile decides.
 */
export type MetadataModel =
  | { mode: 'existing'; existing: ExistingMetadata; api: ExistingMetadataApi }
  | {
      mode: 'create';
      api: MetadataApi;
      /** multiAz, backups and task count after the profile filled in what the manifest left out. */
      settings: ResolvedSettings;
    };

export function metadataModel(options: MetadataOptions): MetadataModel {
  const { existing } = options;
  if (existing) {
    return {
      mode: 'existing',
      existing,
      api: {
        existing: true,
        serviceUrl: existing.serviceUrl,
        internalUrl: existing.internalUrl ?? existing.serviceUrl,
        ...(existing.authKey && 'apiKeyId' in existing.authKey ? { apiKeyId: existing.authKey.apiKeyId } : {}),
      },
    };
  }
  // The shared API key (its value is METAFLOW_SERVICE_AUTH_KEY) exists only for api-gateway with api-key authorization.
  const apiKey = options.access === 'api-gateway' && options.apiGateway.authorization === 'api-key';
  const internalUrl = sub(`http://\${${ID.loadBalancer}.DNSName}/`);
  return {
    mode: 'create',
    settings: resolveSettings(options),
    api: {
      internalUrl,
      serviceUrl: options.access === 'api-gateway' ? apiUrl() : internalUrl,
      serviceSecurityGroupId: getAtt(ID.serviceSecurityGroup, 'GroupId'),
      loadBalancerSecurityGroupId: getAtt(ID.loadBalancerSecurityGroup, 'GroupId'),
      cluster: { name: ref(ID.cluster), arn: getAtt(ID.cluster, 'Arn') },
      image: options.image,
      database: {
        host: getAtt(ID.database, 'Endpoint.Address'),
        port: DB_PORT,
        name: options.database.name,
        username: options.database.username,
        sslMode: options.database.sslMode,
        secretArn: ref(ID.databaseSecret),
        securityGroupId: getAtt(ID.databaseSecurityGroup, 'GroupId'),
      },
      ...(apiKey ? { apiKeyId: ref(ID.apiKey) } : {}),
    },
  };
}

export const metadataPlugin = definePlugin<MetadataOptions, MetadataApi | ExistingMetadataApi, MetadataModel>({
  name: 'mfinfra:metadata',
  apiVersion: 1,
  description:
    "Metaflow's metadata service on ECS Fargate with RDS PostgreSQL, behind an internal load balancer and optionally API Gateway",
  key: 'metadata',
  starter,
  schema,
  defaults,
  optionalSection: true,
  // network only when the service is created: metadata.existing needs no network here.
  uses: ['network', 'batch'],
  // init's starter section creates the service, so init adds network beside metadata.
  starterRequires: ['network'],

  check(ctx, options) {
    // With existing, the section's defaults (image, database, ...) describe nothing: none is created.
    if (options.existing) return checkExisting(ctx, options.existing);
    if (!ctx.loaded.has('network')) {
      ctx.report('the metadata service runs in a network, but network is not in plugins', {
        rootPath: ['plugins'],
        code: 'METADATA_NEEDS_NETWORK',
        hint: 'add network to plugins (and a network: section), or use a service that runs already with metadata.existing',
      });
      return;
    }
    checkMetadata(ctx, options);
  },

  resolve: (_ctx, options) => metadataModel(options),

  api: (_ctx, _options, model) => model.api,

  resources(ctx, options, model) {
    if (model.mode === 'existing') return {};
    const network = ctx.use<NetworkApi>('network');
    const batch = ctx.use<BatchApi | undefined>('batch');
    if (network.subnetIds.length < 2) {
      ctx.error(
        `the metadata database needs subnets in at least two availability zones, but the network gives ${network.subnetIds.length}`,
        {
          rootPath: ['network'],
          hint: 'give the network two or more subnets in different availability zones',
          code: 'TOO_FEW_SUBNETS',
        },
      );
    }
    const sources = loadBalancerSources(options, network, batch);
    if (sources.cidrs.length === 0 && sources.batchSecurityGroupId === undefined) {
      const message =
        'nothing inside the network may reach the metadata load balancer: the network does not say its CIDR and allowedCidrs is empty';
      const hint = "give the existing VPC's cidr in the network section, or list the client networks in metadata.allowedCidrs";
      if (options.access === 'internal') ctx.error(message, { path: ['allowedCidrs'], hint, code: 'NO_CLIENTS' });
      ctx.warn(`${message}; only API Gateway will reach it`, { path: ['allowedCidrs'], hint, code: 'NO_CLIENTS' });
    }
    const { settings } = model;
    const resources: Record<string, CfnResource> = {
      ...databaseResources(ctx, options, settings, network),
      ...loadBalancerResources(ctx, options, network, sources),
      ...serviceResources(ctx, options, settings, network),
      ...migrationResources(ctx, options, network),
      ...rotationResources(ctx, options),
    };
    if (options.access === 'api-gateway') Object.assign(resources, apiGatewayResources(ctx, options));
    return resources;
  },

  outputs(_ctx, options, model) {
    if (model.mode === 'existing') return existingOutputs(model.existing);
    const { api } = model;
    return {
      METAFLOW_DEFAULT_METADATA: { value: 'service', description: 'use the metadata service' },
      METAFLOW_SERVICE_URL: {
        value: api.serviceUrl,
        description:
          options.access === 'api-gateway'
            ? 'metadata service through API Gateway (send METAFLOW_SERVICE_AUTH_KEY)'
            : 'metadata service through the internal load balancer',
      },
      METAFLOW_SERVICE_INTERNAL_URL: {
        value: api.internalUrl,
        description: 'metadata service from inside the network (Batch, Step Functions)',
      },
    };
  },

  stackOutputs(_ctx, _options, model) {
    if (model.mode === 'existing') return existingStackOutputs(model.existing, API_KEY_ID_OUTPUT);
    const outputs: Record<string, { value: CfnValue; description: string }> = {
      MetadataDatabaseSecretArn: {
        value: ref(ID.databaseSecret),
        description: 'Secrets Manager secret with the metadata database credentials',
      },
      MetadataMigrationFunctionName: {
        value: ref(ID.migrationRunner),
        description: 'Function that upgrades the database schema when the image changes (its log group has each run)',
      },
    };
    if (model.api.apiKeyId !== undefined) {
      outputs[API_KEY_ID_OUTPUT] = {
        value: model.api.apiKeyId,
        description: 'API key id; its value is METAFLOW_SERVICE_AUTH_KEY (aws apigateway get-api-key --include-value --api-key <id>)',
      };
    }
    return outputs;
  },

  // The API key's value, read after deploy (it is never in the template or the stack's Outputs).
  async deployedOutputs(ctx, _options, model) {
    if (model.mode === 'existing') return existingDeployedOutputs(ctx, model.existing);
    return model.api.apiKeyId !== undefined ? apiKeyOutputs(ctx) : {};
  },

  async verify(ctx, _options, model) {
    if (model.mode === 'existing') await verifyExisting(ctx, model.existing);
  },
});
