import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { fail } from '../errors.js';
import { classifyStackStatus, describeStack, outputsOf } from '../deploy/stackState.js';

/**
 * Read a deployed stack's Outputs (DescribeStacks) for `mfinfra outputs`. A missing stack, or one
 * whose creation failed, is an error saying what to do; a stack that is mid-operation still has the
 * Outputs of its last good state, which are used.
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
