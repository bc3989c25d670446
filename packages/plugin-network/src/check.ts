import { parseCidr, type PluginContext } from '@mfinfra/core/plugin';
import { awsIdProblem, type ID_KINDS } from './awsIds.js';
import { planSubnets } from './layout.js';
import { resolveCreate, type NetworkOptions } from './options.js';

/** Semantic checks of the `network:` section; every problem is reported at its position. */
export function checkNetwork(ctx: PluginContext, options: NetworkOptions): void {
  const { create, existing } = options;
  if (create !== undefined && existing) {
    ctx.report('network has both "create" (a new VPC) and "existing" (reuse a VPC)', {
      path: ['existing'],
      code: 'NETWORK_MODE_CONFLICT',
      hint: 'keep one of them',
    });
    return;
  }
  if (existing) checkExisting(ctx, existing);
  else checkCreate(ctx, options);
}

function checkCreate(ctx: PluginContext, options: NetworkOptions): void {
  const create = resolveCreate(options.create);
  if (options.create?.natGateways !== undefined && !create.private) {
    ctx.report('natGateways is set, but private is not true (public subnets need no NAT)', {
      path: ['create', 'natGateways'],
      code: 'NETWORK_OPTION_CONFLICT',
      hint: 'set private: true to put workloads behind NAT, or remove natGateways',
    });
  }
  const flowLogs = options.create?.flowLogs;
  if (flowLogs && flowLogs.s3BucketArn !== undefined && flowLogs.retentionDays !== undefined) {
    ctx.report('flowLogs.retentionDays applies to CloudWatch Logs, but flowLogs.s3BucketArn sends the flow logs to S3', {
      path: ['create', 'flowLogs', 'retentionDays'],
      code: 'NETWORK_OPTION_CONFLICT',
      hint: "remove retentionDays and expire the records with the bucket's lifecycle rules, or remove s3BucketArn",
    });
  }
  for (const p of planSubnets(create).problems) ctx.report(p.message, { path: p.path, hint: p.hint, code: p.code });
}

function checkExisting(ctx: PluginContext, existing: NonNullable<NetworkOptions['existing']>): void {
  const id = (kind: keyof typeof ID_KINDS, value: string, path: (string | number)[]) => {
    const p = awsIdProblem(kind, value);
    if (p) ctx.report(`"${value}" ${p.problem}`, { path: ['existing', ...path], hint: p.hint, code: 'NETWORK_BAD_ID' });
  };
  id('vpc', existing.vpcId, ['vpcId']);
  existing.subnetIds.forEach((s, i) => id('subnet', s, ['subnetIds', i]));
  existing.publicSubnetIds?.forEach((s, i) => id('subnet', s, ['publicSubnetIds', i]));
  existing.securityGroupIds?.forEach((s, i) => id('sg', s, ['securityGroupIds', i]));
  if (existing.cidr !== undefined) {
    const parsed = parseCidr(existing.cidr);
    if (!parsed.ok)
      ctx.report(`cidr "${existing.cidr}" ${parsed.problem}`, { path: ['existing', 'cidr'], hint: parsed.hint, code: 'NETWORK_BAD_CIDR' });
  }
  if (existing.subnetIds.length === 1) {
    ctx.warn('only one subnet is listed: workloads and the database will sit in a single availability zone', {
      path: ['existing', 'subnetIds'],
      hint: 'list subnets in at least two availability zones (RDS subnet groups require two)',
    });
  }
}
