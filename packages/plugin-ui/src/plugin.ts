import { definePlugin, getAtt, ref, type StackOutput } from '@mfinfra/core/plugin';
import { checkUi } from './check.js';
import { ID, OUTPUT } from './ids.js';
import { loadBalancerResources } from './loadBalancer.js';
import { defaults, schema, type UiOptions } from './options.js';
import type { DatastoreApi, MetadataApi, NetworkApi } from './peerApis.js';
import { serviceResources } from './services.js';
import { VERSION } from './version.js';
import { starter } from './starter.js';

/** What other plugins may read with `ctx.use('ui')`. */
export interface UiApi {
  /** `https://<domainName>/` (METAFLOW_UI_URL). */
  url: string;
}

/** The ui section resolved once per compile (see `resolve`). */
export interface UiModel {
  /** What `ctx.use('ui')` gives. */
  api: UiApi;
  /** The backend's image: `ui.backend.image`, else the metadata service's image (both read one database schema). */
  backendImage: string;
}

export function uiModel(options: UiOptions, metadata: Pick<MetadataApi, 'image'>): UiModel {
  return { api: { url: `https://${options.domainName}/` }, backendImage: options.backend.image ?? metadata.image };
}

export const uiPlugin = definePlugin<UiOptions, UiApi, UiModel>({
  name: 'mfinfra:ui',
  apiVersion: 1,
  version: VERSION,
  description:
    'The Metaflow UI on ECS Fargate behind an HTTPS load balancer that always authenticates (Cognito or OIDC), internal by default',
  key: 'ui',
  starter,
  schema,
  defaults,
  requires: ['network', 'datastore', 'metadata'],

  check(ctx, options) {
    checkUi(ctx, options);
  },

  // metadata's check refuses metadata.existing beside ui, so its api here is the created service's.
  resolve: (ctx, options) => uiModel(options, ctx.use<MetadataApi>('metadata')),

  api: (_ctx, _options, model) => model.api,

  resources(ctx, options, { backendImage }) {
    const network = ctx.use<NetworkApi>('network');
    const metadata = ctx.use<MetadataApi>('metadata');
    return {
      ...loadBalancerResources(ctx, options, network, metadata),
      ...serviceResources(ctx, options, network, ctx.use<DatastoreApi>('datastore'), metadata, backendImage),
    };
  },

  outputs(_ctx, _options, { api }) {
    return { METAFLOW_UI_URL: { value: api.url, description: 'the Metaflow UI (links to runs)' } };
  },

  stackOutputs(_ctx, options) {
    const outputs: Record<string, StackOutput> = {
      [OUTPUT.loadBalancerDnsName]: {
        value: getAtt(ID.loadBalancer, 'DNSName'),
        description: `DNS name of the UI load balancer: point ${options.domainName} at it (alias or CNAME)`,
      },
      [OUTPUT.loadBalancerZoneId]: {
        value: getAtt(ID.loadBalancer, 'CanonicalHostedZoneID'),
        description: 'Route 53 hosted zone id of the UI load balancer (for an alias record)',
      },
    };
    if (options.auth.provider === 'cognito') {
      outputs[OUTPUT.userPoolId] = {
        value: ref(ID.userPool),
        description: 'Cognito user pool of the UI: aws cognito-idp admin-create-user --user-pool-id <id> --username <email>',
      };
    }
    return outputs;
  },
});
