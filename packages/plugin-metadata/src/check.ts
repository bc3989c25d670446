import { fargateSizeProblem, formatCidr, parseCidr, type PluginContext } from '@mfinfra/core/plugin';
import type { MetadataOptions } from './options.js';

/** The CIDR with its host bits cleared, e.g. 10.1.2.3/16 → 10.1.0.0/16 (undefined when already so, or not a block). */
export function normalizedCidr(cidr: string): string | undefined {
  const parsed = parseCidr(cidr);
  return !parsed.ok && parsed.network ? formatCidr(parsed.network) : undefined;
}

/** Semantic checks the schema cannot express; every problem is reported at its manifest position. */
export function checkMetadata(ctx: PluginContext, options: MetadataOptions): void {
  const size = fargateSizeProblem(options.cpu, options.memory);
  if (size) ctx.report(size.message, { path: ['memory'], hint: size.hint, code: 'FARGATE_SIZE' });
  const db = options.database;
  if (db.maxAllocatedStorage <= db.allocatedStorage) {
    ctx.report(
      `maxAllocatedStorage (${db.maxAllocatedStorage} GiB) must be larger than allocatedStorage (${db.allocatedStorage} GiB) for storage autoscaling`,
      {
        path: ['database', 'maxAllocatedStorage'],
        hint: `raise maxAllocatedStorage above ${db.allocatedStorage}, e.g. 1000`,
        code: 'STORAGE_AUTOSCALING',
      },
    );
  }
  const cidrLists = [
    ['allowedCidrs', options.allowedCidrs],
    ['apiGateway', 'allowedSourceCidrs', options.apiGateway.allowedSourceCidrs],
  ] as const;
  for (const entry of cidrLists) {
    const list = entry[entry.length - 1] as readonly string[];
    const path = entry.slice(0, -1) as string[];
    list.forEach((cidr, i) => {
      const fixed = normalizedCidr(cidr);
      if (fixed) {
        ctx.report(`${cidr} is not a network address: its host bits are set`, {
          path: [...path, i],
          hint: `write ${fixed}`,
          code: 'CIDR_HOST_BITS',
        });
      }
    });
  }
  options.allowedCidrs.forEach((cidr, i) => {
    if (cidr.endsWith('/0')) {
      ctx.warn(`allowedCidrs opens the metadata load balancer to every address that can route to it (${cidr})`, {
        path: ['allowedCidrs', i],
        hint: 'list only the networks that need the service (VPN, peered VPC); for public access use access: api-gateway',
        code: 'OPEN_INGRESS',
      });
    }
  });
  if (options.profile === 'production' && !db.deletionProtection) {
    ctx.warn('deletion protection is off for a production database', {
      path: ['database', 'deletionProtection'],
      hint: 'keep it on for production, or set profile: development',
      code: 'NO_DELETION_PROTECTION',
    });
  }
  if (options.access !== 'api-gateway' && options.apiGateway.allowedSourceCidrs.length > 0) {
    ctx.report('apiGateway.allowedSourceCidrs has no effect unless access is api-gateway', {
      path: ['apiGateway', 'allowedSourceCidrs'],
      hint: 'set access: api-gateway, or remove apiGateway.allowedSourceCidrs',
      code: 'API_GATEWAY_OFF',
    });
  }
}
