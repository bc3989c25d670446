/**
 * `mfinfra outputs`: the Metaflow config (and the manifest's env file and templates) for the stack as
 * it is deployed now, without deploying anything. The stack's Outputs are read (DescribeStacks), the
 * plugins' `deployedOutputs` hooks add what needs an AWS read, and `outputs/` renders and writes the
 * files (or, with `print`, only shows what would change).
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CompileResult } from '../compile/compile.js';
import { fail } from '../errors.js';
import { classifyStackStatus, describeStack, outputsOf } from '../deploy/stackState.js';
import type { DeployContext } from '../deploy/context.js';
import type { WriteOutputsResult } from '../outputs/types.js';
import { deployContext, loadDeployTarget, type ActionRun, type ActionTarget, type DeployTarget } from './target.js';

export interface OutputsOptions {
  /** Show the files and what would change; write nothing. */
  print?: boolean;
  /** Overwrite config keys changed by hand (a backup is kept). */
  force?: boolean;
}

/**
 * Read a deployed stack's Outputs. A missing stack, or one whose creation failed, is an error saying
 * what to do; a stack that is mid-operation still has the Outputs of its last good state, which are used.
 */
export async function readDeployedOutputs(cfn: CloudFormationClient, stackName: string, region: string): Promise<Record<string, string>> {
  const stack = await describeStack(cfn, stackName);
  const condition = classifyStackStatus(stack?.StackStatus);
  if (!stack || condition === 'none' || condition === 'review') {
    throw fail.OUTPUT_MISSING(`stack ${stackName} is not deployed in ${region}`, {
      hint: 'deploy it with `mfinfra apply`, or pass the --region / --profile it was deployed with',
    });
  }
  if (condition === 'failed-create') {
    throw fail.OUTPUT_MISSING(`stack ${stackName} in ${region} failed to create (${stack.StackStatus}) and has no outputs`, {
      hint: 'fix the cause shown by `mfinfra apply`, delete the stack (`mfinfra destroy`) and deploy again',
    });
  }
  return outputsOf(stack);
}

/** Write (or, with `print`, show) the config files of a compiled manifest's deployed stack. */
export async function outputsDeploy(
  compiled: CompileResult,
  ctx: DeployContext,
  options: OutputsOptions = {},
): Promise<WriteOutputsResult> {
  const { clients } = ctx;
  const stackOutputs = await readDeployedOutputs(clients.cloudFormation, compiled.stackName, clients.region);
  const { writeConfigOutputs } = await import('../outputs/write.js');
  return writeConfigOutputs({
    compiled,
    stackOutputs,
    region: clients.region,
    // The plugins' AWS reads (deployedOutputs, ctx.aws) use the run's clients.
    access: clients,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    options: { force: options.force, print: options.print },
  });
}

/** `mfinfra outputs` for a target: compile, clients (the pinned account checked), then {@link outputsDeploy}. */
export async function outputs(target: ActionTarget & OutputsOptions, run: ActionRun = {}): Promise<WriteOutputsResult & DeployTarget> {
  const { compiled, clients } = await loadDeployTarget(target, run.io);
  return { ...(await outputsDeploy(compiled, deployContext(clients, run), target)), compiled, clients };
}
