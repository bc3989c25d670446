/** Checks the schema cannot express; each problem points at its manifest position. */
import type { PluginContext } from '@mfinfra/core/plugin';
import type { GpuComputeOptions } from './options.js';

/** NVIDIA GPU instance families: G (g4dn, g5, g6, g6e, gr6, …) and P (p3, p4d, p5, …). */
const GPU_FAMILY = /^(g|gr|p)[0-9]/;

export function checkOptions(ctx: PluginContext, options: GpuComputeOptions): void {
  for (const [i, type] of options.instanceTypes.entries()) {
    if (!GPU_FAMILY.test(type)) {
      ctx.report(`instance type "${type}" has no NVIDIA GPU`, {
        path: ['instanceTypes', i],
        hint: 'use P or G families (e.g. g5, g6, p4d); put CPU instances in the batch plugin instead',
        code: 'NOT_A_GPU_INSTANCE',
      });
    }
  }
  if (options.minVcpus > options.maxVcpus) {
    ctx.report(`minVcpus (${options.minVcpus}) is greater than maxVcpus (${options.maxVcpus})`, {
      path: ['minVcpus'],
      hint: 'lower minVcpus or raise maxVcpus',
      code: 'VCPU_RANGE',
    });
  }
  if (options.spotMaxPricePercent !== undefined && options.provisioning !== 'spot') {
    ctx.report('spotMaxPricePercent only applies to spot provisioning', {
      path: ['spotMaxPricePercent'],
      hint: 'set provisioning: spot, or remove spotMaxPricePercent',
      code: 'SPOT_ONLY',
    });
  }
}
