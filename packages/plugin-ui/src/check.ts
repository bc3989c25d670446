import { fargateSizeProblem, type PluginContext } from '@mfinfra/core/plugin';
import type { UiOptions } from './options.js';

/** Semantic checks the schema cannot express; every problem is reported at its manifest position. */
export function checkUi(ctx: PluginContext, options: UiOptions): void {
  for (const part of ['backend', 'staticUi'] as const) {
    const size = fargateSizeProblem(options[part].cpu, options[part].memory);
    if (size) ctx.report(size.message, { path: [part, 'memory'], hint: size.hint, code: 'FARGATE_SIZE' });
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
