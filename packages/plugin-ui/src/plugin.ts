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

export const uiPlugin = definePlugin<UiOptions, UiApi>({
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

  api(_ctx, options) {
    return { url: `https://${options.domainName}/` };
  },

  resources(ctx, options) {
    const network = ctx.use<NetworkApi>('network');
    const metadata = ctx.use<MetadataApi>('metadata');
    return {
      ...loadBalancerResources(ctx, options, network, metadata),
      ...serviceResources(ctx, options, network, ctx.use<DatastoreApi>('datastore'), metadata),
    };
  },

  outputs(_ctx, options) {
    return { METAFLOW_UI_URL: { value: `https://${options.domainName}/`, description: 'the Metaflow UI (links to runs)' } };
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
