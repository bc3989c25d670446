/**
 * `mfinfra drift`: CloudFormation drift detection. DetectStackDrift, wait for it
 * (DescribeStackDriftDetectionStatus), then the drifted resources and their property differences
 * (DescribeStackResourceDrifts, every page), as a preview model: each drifted resource a change
 * from what the template says (before) to what AWS has now (after), rendered like a plan.
 */
import {
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  type Stack,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { fail } from '../errors.js';
import type { PreviewModel, PropertyChange, ResourceChange } from '../preview/model.js';
import { isStateful } from '../preview/stateful.js';
import { finishModel } from '../preview/templateDiff.js';
import { CHANGE_SET_POLL, callAws, pollOptionsOf, pollUntil } from './poll.js';
import { describeStack } from './stackState.js';
import type { DeployContext } from './context.js';
import { reportStep } from './report.js';

export interface DriftResult {
  stackName: string;
  stackId: string;
  /** DRIFTED, IN_SYNC, or UNKNOWN (some resources could not be checked). */
  status: string;
  detectionId: string;
  driftedResources: number;
  /** When CloudFormation finished the detection. */
  detectedAt?: string;
  /** Resources CloudFormation could not check (DetectionStatusReason), when it says. */
  reason?: string;
  preview: PreviewModel;
}

const DRIFTED = ['MODIFIED', 'DELETED'] as const;

function parse(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** DescribeStackResourceDrifts' answers → the preview model. */
export function driftPreview(stackName: string, drifts: StackResourceDrift[], notes: string[] = []): PreviewModel {
  const changes: ResourceChange[] = drifts
    .filter((d) => d.StackResourceDriftStatus === 'MODIFIED' || d.StackResourceDriftStatus === 'DELETED')
    .map((d) => {
      const properties: PropertyChange[] = (d.PropertyDifferences ?? []).map((p) => ({
        path: p.PropertyPath?.replace(/^\//, '').replace(/\//g, '.') ?? '',
        change: p.DifferenceType === 'ADD' ? 'add' : p.DifferenceType === 'REMOVE' ? 'remove' : 'modify',
        ...(p.DifferenceType !== 'ADD' && p.ExpectedValue !== undefined ? { before: parse(p.ExpectedValue) } : {}),
        ...(p.DifferenceType !== 'REMOVE' && p.ActualValue !== undefined ? { after: parse(p.ActualValue) } : {}),
        replacement: 'never',
      }));
      const type = d.ResourceType ?? 'unknown';
      return {
        action: d.StackResourceDriftStatus === 'DELETED' ? 'remove' : 'modify',
        logicalId: d.LogicalResourceId ?? '',
        resourceType: type,
        ...(d.PhysicalResourceId ? { physicalId: d.PhysicalResourceId } : {}),
        replacement: false,
        properties,
        stateful: isStateful(type),
      } satisfies ResourceChange;
    });
  return finishModel(
    {
      source: 'drift',
      stackName,
      notes: [
        'drift: each change is from what the deployed template says (before) to what AWS has now (after); "remove" means the resource was deleted outside CloudFormation',
        ...notes,
      ],
    },
    changes,
    [],
    [],
  );
}

export async function detectDrift(stackName: string, ctx: DeployContext): Promise<DriftResult> {
  const cfn = ctx.clients.cloudFormation;
  const poll = pollOptionsOf(ctx);
  const stack = await describeStack(cfn, stackName, poll);
  if (!stack?.StackId) {
    throw fail.STACK_STATE(`stack ${stackName} does not exist in ${ctx.clients.region}: nothing to check for drift`, {
      hint: 'deploy it first (`mfinfra apply`), or check --region',
    });
  }
  reportStep(ctx, {
    step: 'drift',
    message: `detecting drift on ${stackName} (CloudFormation compares every resource with the template)`,
  });
  const started = await callAws('start drift detection', (o) => cfn.send(new DetectStackDriftCommand({ StackName: stack.StackId }), o), {
    ...poll,
    idempotent: false,
  });
  const detectionId = started.StackDriftDetectionId!;
  const status = await pollUntil(
    'wait for drift detection',
    ctx.timing?.changeSet ?? CHANGE_SET_POLL,
    async (call) => {
      const s = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: detectionId }), call);
      if (s.DetectionStatus === 'DETECTION_IN_PROGRESS') return undefined;
      if (s.DetectionStatus === 'DETECTION_FAILED' && !s.StackDriftStatus) {
        throw fail.AWS_ERROR(`drift detection of ${stackName} failed: ${s.DetectionStatusReason ?? 'no reason given'}`, {});
      }
      return s;
    },
    poll,
  );
  const drifts: StackResourceDrift[] = [];
  let token: string | undefined;
  do {
    const out = await callAws(
      'read the resource drifts',
      (o) =>
        cfn.send(
          new DescribeStackResourceDriftsCommand({
            StackName: stack.StackId,
            StackResourceDriftStatusFilters: [...DRIFTED],
            NextToken: token,
          }),
          o,
        ),
      poll,
    );
    drifts.push(...(out.StackResourceDrifts ?? []));
    token = out.NextToken;
  } while (token);
  const reason = status.DetectionStatus === 'DETECTION_FAILED' ? status.DetectionStatusReason : undefined;
  const notes = reason ? [`CloudFormation could not check every resource: ${reason}`] : [];
  return {
    stackName,
    stackId: stack.StackId,
    status: status.StackDriftStatus ?? 'UNKNOWN',
    detectionId,
    driftedResources: status.DriftedStackResourceCount ?? drifts.length,
    ...(status.Timestamp ? { detectedAt: status.Timestamp.toISOString() } : {}),
    ...(reason ? { reason } : {}),
    preview: driftPreview(stackName, drifts, notes),
  };
}

/** What `plan` says about drift: the stack's last detection (DescribeStacks DriftInformation), when it found drift. */
export function driftNote(stack: Stack | undefined): string | undefined {
  const info = stack?.DriftInformation;
  if (info?.StackDriftStatus !== 'DRIFTED') return undefined;
  const when = info.LastCheckTimestamp ? ` (detected ${info.LastCheckTimestamp.toISOString()})` : '';
  return `stack ${stack!.StackName} had drifted from its template when drift was last detected${when}: resources were changed outside CloudFormation, and this plan does not show that; run \`mfinfra drift\` to see what differs`;
}
