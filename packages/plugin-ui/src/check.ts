import type { PluginContext } from '@mfinfra/core/plugin';
import type { UiOptions } from './options.js';

/** Memory sizes (MiB) Fargate accepts for each CPU size. */
export function fargateMemoryChoices(cpu: number): number[] {
  const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
  const table: Record<number, number[]> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
    8192: range(16384, 61440, 4096),
    16384: range(32768, 122880, 8192),
  };
  return table[cpu] ?? [];
}

/** Semantic checks the schema cannot express; every problem is reported at its manifest position. */
export function checkUi(ctx: PluginContext, options: UiOptions): void {
  for (const part of ['backend', 'staticUi'] as const) {
    const { cpu, memory } = options[part];
    const choices = fargateMemoryChoices(cpu);
    if (choices.length > 0 && !choices.includes(memory)) {
      ctx.report(`Fargate does not offer ${memory} MiB of memory with cpu ${cpu}`, {
        path: [part, 'memory'],
        hint: `with cpu ${cpu}, memory must be ${choices[0]} to ${choices[choices.length - 1]} MiB in steps of ${choices[1]! - choices[0]!}`,
        code: 'FARGATE_SIZE',
      });
    }
  }
  if (options.internetFacing && options.allowedCidrs.length === 0) {
    ctx.report('an internet-facing UI needs allowedCidrs: nobody would be let in', {
      path: ['internetFacing'],
      hint: 'list the networks that may open the UI in ui.allowedCidrs (e.g. your office or VPN egress), or keep the load balancer internal',
      code: 'NO_CLIENTS',
    });
  }
  options.allowedCidrs.forEach((cidr, i) => {
    if (cidr.endsWith('/0')) {
      ctx.warn(`allowedCidrs lets every address reach the UI's sign-in page (${cidr})`, {
        path: ['allowedCidrs', i],
        hint: 'list only the networks that need the UI',
        code: 'OPEN_INGRESS',
      });
    }
  });
  const auth = options.auth;
  if (auth.provider === 'oidc' && auth.oidc === undefined) {
    ctx.report('auth.provider is oidc but auth.oidc is missing', {
      path: ['auth', 'provider'],
      hint: 'add auth.oidc with issuer, authorizationEndpoint, tokenEndpoint, userInfoEndpoint, clientId and clientSecretArn',
      code: 'OIDC_MISSING',
    });
  }
  if (auth.provider === 'cognito' && auth.oidc !== undefined) {
    ctx.report('auth.oidc has no effect unless auth.provider is oidc', {
      path: ['auth', 'oidc'],
      hint: 'set auth.provider: oidc, or remove auth.oidc',
      code: 'OIDC_UNUSED',
    });
  }
}
