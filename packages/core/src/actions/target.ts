/**
 * What every action works on: a manifest (found as the CLI finds it) and, for the actions that talk
 * to AWS, the account and region to talk to. Lanes that add selectors (an environment, an account
 * guard) extend {@link ActionTarget} and {@link loadDeployTarget}.
 */
import type { AwsClients } from '../aws/clients.js';
import type { CompileResult } from '../compile/compile.js';
import type { DeployContext } from '../deploy/context.js';
import { notify, quietIoHost, type IoHost } from '../iohost/messages.js';

export interface ActionTarget {
  /** `metaflow.infra.yaml` or its folder; searched from `cwd` upward when omitted. */
  manifest?: string;
  /** The environment (an `environments:` overlay) to work on; required when the manifest has environments. */
  env?: string;
  /** Run as if started in this folder (default: the process's). */
  cwd?: string;
  /** AWS region (default: the manifest's stack.region, then AWS_REGION). */
  region?: string;
  /** AWS profile (shared config / SSO); default: the manifest's stack.profile, else the SDK's credential chain. */
  profile?: string;
  /** Send AWS calls here (moto, LocalStack). */
  endpointUrl?: string;
}

/** A compiled manifest and the AWS clients to deploy it with. */
export interface DeployTarget {
  compiled: CompileResult;
  clients: AwsClients;
}

/** Compile the target's manifest; its warnings go to the host as COMPILE_WARNINGS. */
export async function compileTarget(target: ActionTarget, io: IoHost = quietIoHost): Promise<CompileResult> {
  const { compile } = await import('../compile/compile.js');
  const compiled = await compile({ manifest: target.manifest, cwd: target.cwd, env: target.env });
  reportCompileWarnings(io, compiled);
  return compiled;
}

/** A compile result's warnings to the host, as one COMPILE_WARNINGS (nothing when there are none). */
export function reportCompileWarnings(io: IoHost, compiled: Pick<CompileResult, 'warnings' | 'file'>): void {
  if (compiled.warnings.length) {
    notify(io, 'COMPILE_WARNINGS', `${compiled.warnings.length} warning(s) in ${compiled.file}`, { warnings: compiled.warnings });
  }
}

/**
 * Compile the manifest and make the AWS clients it deploys with. The SDK's own notices go to the host
 * as SDK_NOTICE. A pinned account (stack.account) is checked (STS) before any other AWS call.
 */
export async function loadDeployTarget(target: ActionTarget, io: IoHost = quietIoHost): Promise<DeployTarget> {
  const compiled = await compileTarget(target, io);
  const clients = await awsClientsFor(target, compiled, io);
  const { assertAccount } = await import('../environments/accountGuard.js');
  await assertAccount(clients.accountId, {
    account: compiled.manifest.stack.account,
    profile: profileOf(target, compiled),
    stackName: compiled.stackName,
    environment: compiled.environment,
  });
  return { compiled, clients };
}

/** The AWS profile: the target's (--profile), else the manifest's stack.profile. */
function profileOf(target: ActionTarget, compiled: CompileResult): string | undefined {
  return target.profile ?? compiled.manifest.stack.profile;
}

/** The AWS clients for a target (region: the target's, else the manifest's, else AWS_REGION); no AWS call. */
export async function awsClientsFor(target: ActionTarget, compiled: CompileResult, io: IoHost = quietIoHost): Promise<AwsClients> {
  const { createAwsClients } = await import('../aws/clients.js');
  const clients = createAwsClients({
    region: target.region ?? compiled.region,
    profile: profileOf(target, compiled),
    endpointUrl: target.endpointUrl,
  });
  for (const notice of clients.notices) notify(io, 'SDK_NOTICE', notice, { notice });
  return clients;
}

/** How an action runs: where its messages go, and the signal that stops it (Ctrl-C). */
export interface ActionRun {
  io?: IoHost;
  signal?: AbortSignal;
}

/** The deploy context for a target's clients and a run. */
export function deployContext(clients: AwsClients, run: ActionRun = {}): DeployContext {
  return { clients, io: run.io ?? quietIoHost, ...(run.signal ? { signal: run.signal } : {}) };
}
