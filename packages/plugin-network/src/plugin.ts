import { definePlugin, join, type StackOutput } from '@mfinfra/core/plugin';
import type { NetworkApi } from './api.js';
import { checkNetwork } from './check.js';
import { networkModel, type NetworkModel } from './model.js';
import type { NetworkOptions } from './options.js';
import { networkResources } from './resources.js';
import { networkSchema } from './schema.js';
import { VERSION } from './version.js';
import { starter } from './starter.js';

/** The VPC Metaflow's compute and database share: created (public, or private behind NAT) or existing. */
export const networkPlugin = definePlugin<NetworkOptions, NetworkApi, NetworkModel>({
  name: 'mfinfra:network',
  apiVersion: 1,
  version: VERSION,
  description: 'The VPC, subnets and gateways Metaflow compute and the metadata database share (created or existing)',
  key: 'network',
  starter,
  schema: networkSchema,
  defaults: {},
  optionalSection: true,
  check: checkNetwork,
  // The subnet layout, ids and api, planned once; every later hook gets them.
  resolve: (ctx, options) => networkModel(ctx.naming, options),
  api: (_ctx, _options, model) => model.api,
  resources: (ctx, _options, model) => networkResources(ctx.naming, model),
  stackOutputs: (_ctx, _options, model): Record<string, StackOutput> => {
    if (model.mode === 'existing') return {};
    const { api } = model;
    const outputs: Record<string, StackOutput> = {
      NetworkVpcId: { value: api.vpcId, description: 'VPC id' },
      NetworkPublicSubnetIds: { value: join(',', api.publicSubnetIds), description: 'Public subnet ids, comma-separated' },
    };
    if (api.privateSubnetIds.length) {
      outputs.NetworkPrivateSubnetIds = { value: join(',', api.privateSubnetIds), description: 'Private subnet ids, comma-separated' };
    }
    return outputs;
  },
});
