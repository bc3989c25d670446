/**
 * Semantic checks of the `batch:` section beyond its JSON Schema. Every problem is reported at its
 * manifest position, all in one run.
 */
import { didYouMean, type PluginContext } from '@mfinfra/core/plugin';
import { instanceTypeProblem, isGpuInstanceType } from './instanceTypes.js';
import { normalizeComputeEnvironment, type BatchOptions, type ComputeEnvironmentOptions, type Platform } from './options.js';

type Path = (string | number)[];

export function checkBatchOptions(ctx: PluginContext, options: BatchOptions): void {
  const ces = options.computeEnvironments;
  const platformOf = new Map<string, Platform>();
  checkUniqueNames(
    ctx,
    ces.map((c) => c.name),
    'computeEnvironments',
    'compute environment',
  );
  ces.forEach((raw, i) => {
    checkComputeEnvironment(ctx, raw, ['computeEnvironments', i]);
    if (!platformOf.has(raw.name)) platformOf.set(raw.name, raw.type ?? 'ec2');
  });

  checkJobRole(ctx, options);
  if (options.container?.repository && options.container.registry) {
    ctx.report('container.registry and container.repository both set the registry jobs pull from', {
      path: ['container', 'registry'],
      hint: 'remove registry to pull from the repository mfinfra creates, or remove repository to use your own registry',
      code: 'BATCH_TWO_REGISTRIES',
    });
  }
  if (!options.jobQueues) {
    checkImplicitQueue(ctx, options, platformOf);
    return;
  }
  const queues = options.jobQueues;
  checkUniqueNames(
    ctx,
    queues.map((q) => q.name),
    'jobQueues',
    'job queue',
  );
  const used = new Set<string>();
  queues.forEach((q, i) => {
    const seen = new Set<string>();
    const platforms = new Map<Platform, string>();
    q.computeEnvironments.forEach((name, j) => {
      const path = ['jobQueues', i, 'computeEnvironments', j];
      used.add(name);
      if (seen.has(name)) {
        ctx.report(`job queue "${q.name}" lists compute environment "${name}" twice`, {
          path,
          hint: 'list each compute environment once',
          code: 'BATCH_DUPLICATE_QUEUE_ENTRY',
        });
        return;
      }
      seen.add(name);
      const platform = platformOf.get(name);
      if (!platform) {
        const guess = didYouMean(name, platformOf.keys());
        ctx.report(
          `job queue "${q.name}" names compute environment "${name}", which is not defined${guess ? `; did you mean "${guess}"?` : ''}`,
          {
            path,
            hint: `defined compute environments: ${[...platformOf.keys()].join(', ')}`,
            code: 'BATCH_UNKNOWN_COMPUTE_ENVIRONMENT',
          },
        );
        return;
      }
      const other = [...platforms.entries()].find(([p]) => p !== platform);
      if (other) {
        ctx.report(
          `job queue "${q.name}" mixes ${platform === 'ec2' ? 'EC2' : 'Fargate'} compute environment "${name}" with ${other[0] === 'ec2' ? 'EC2' : 'Fargate'} compute environment "${other[1]}"`,
          {
            path,
            hint: 'AWS Batch queues take either EC2 or Fargate compute environments; make a separate queue for each',
            code: 'BATCH_MIXED_QUEUE',
          },
        );
      }
      if (!platforms.has(platform)) platforms.set(platform, name);
    });
  });

  const defaults = queues.map((q, i) => ({ q, i })).filter(({ q }) => q.default === true);
  if (queues.length > 1 && defaults.length === 0) {
    ctx.report(`none of the ${queues.length} job queues is marked default: true`, {
      path: ['jobQueues'],
      hint: `mark the queue Metaflow should submit to (METAFLOW_BATCH_JOB_QUEUE) with default: true, e.g. "${queues[0]!.name}"`,
      code: 'BATCH_NO_DEFAULT_QUEUE',
    });
  }
  for (const { q, i } of defaults.slice(1)) {
    ctx.report(`job queue "${q.name}" is marked default, but "${defaults[0]!.q.name}" already is`, {
      path: ['jobQueues', i, 'default'],
      hint: 'exactly one job queue is the default; remove default: true from all but one',
      code: 'BATCH_TWO_DEFAULT_QUEUES',
    });
  }
  ces.forEach((ce, i) => {
    if (!used.has(ce.name)) {
      ctx.warn(`compute environment "${ce.name}" is in no job queue, so it never runs jobs`, {
        path: ['computeEnvironments', i, 'name'],
        hint: 'add it to a job queue, or remove it',
      });
    }
  });
}

function checkUniqueNames(ctx: PluginContext, names: string[], section: string, what: string): void {
  const first = new Map<string, number>();
  names.forEach((name, i) => {
    const j = first.get(name);
    if (j === undefined) {
      first.set(name, i);
      return;
    }
    ctx.report(`${what} name "${name}" is used twice (also at ${section}[${j}])`, {
      path: [section, i, 'name'],
      hint: `give each ${what} its own name`,
      code: 'BATCH_DUPLICATE_NAME',
    });
  });
}

function checkImplicitQueue(ctx: PluginContext, options: BatchOptions, platformOf: Map<string, Platform>): void {
  const ces = options.computeEnvironments;
  const platforms = new Set(platformOf.values());
  if (platforms.size > 1 || ces.length > 3) {
    ctx.report(
      platforms.size > 1
        ? 'without jobQueues, every compute environment goes into one queue, but EC2 and Fargate compute environments cannot share a queue'
        : `without jobQueues, every compute environment goes into one queue, but a queue takes at most 3 (there are ${ces.length})`,
      {
        path: ['computeEnvironments'],
        hint: 'declare jobQueues: [{ name, computeEnvironments: [...], default: true }, ...]',
        code: 'BATCH_NEEDS_JOB_QUEUES',
      },
    );
  }
}

function checkComputeEnvironment(ctx: PluginContext, raw: ComputeEnvironmentOptions, at: Path): void {
  const ce = normalizeComputeEnvironment(raw, Number(at[1]));
  const report = (key: string | Path, message: string, hint: string, code: string) =>
    ctx.report(`compute environment "${ce.name}": ${message}`, { path: [...at, ...(Array.isArray(key) ? key : [key])], hint, code });

  if (ce.platform === 'fargate') {
    const ec2Only: (keyof ComputeEnvironmentOptions)[] = [
      'allocationStrategy',
      'minVcpus',
      'desiredVcpus',
      'ami',
      'imageId',
      'launchTemplate',
      'rootVolumeGiB',
      'tags',
    ];
    if (raw.instanceTypes) {
      const gpu = raw.instanceTypes.find(isGpuInstanceType);
      if (gpu)
        report(
          'instanceTypes',
          `Fargate has no GPUs, so it cannot run "${gpu}"`,
          'use type: ec2 for GPU instance types (P and G families)',
          'BATCH_FARGATE_GPU',
        );
      else
        report(
          'instanceTypes',
          'Fargate compute environments do not take instanceTypes',
          'remove instanceTypes (Fargate sizes each job by its vCPU and memory), or use type: ec2',
          'BATCH_FARGATE_OPTION',
        );
    }
    for (const key of ec2Only) {
      if (raw[key] !== undefined)
        report(
          key,
          `${key} applies only to EC2 compute environments, not Fargate`,
          `remove ${key}, or use type: ec2`,
          'BATCH_FARGATE_OPTION',
        );
    }
    if (raw.bidPercentage !== undefined)
      report(
        'bidPercentage',
        'bidPercentage applies only to EC2 Spot, not Fargate',
        'remove bidPercentage (FARGATE_SPOT has no bid)',
        'BATCH_FARGATE_OPTION',
      );
    return;
  }

  if (ce.provisioning === 'on-demand') {
    if (raw.bidPercentage !== undefined) {
      report(
        'bidPercentage',
        'bidPercentage applies only to Spot capacity',
        'remove bidPercentage, or set provisioning: spot',
        'BATCH_BID_ON_DEMAND',
      );
    }
    if (raw.allocationStrategy?.startsWith('SPOT_')) {
      report(
        'allocationStrategy',
        `${raw.allocationStrategy} is a Spot allocation strategy, but the environment is on-demand`,
        'use BEST_FIT_PROGRESSIVE (the default), or set provisioning: spot',
        'BATCH_SPOT_STRATEGY_ON_DEMAND',
      );
    }
  }
  if (raw.allocationStrategy === 'BEST_FIT') {
    ctx.warn(
      `compute environment "${ce.name}": BEST_FIT environments cannot be updated in place, so later changes to instance types, AMI or subnets need a new environment`,
      {
        path: [...at, 'allocationStrategy'],
        hint: 'prefer BEST_FIT_PROGRESSIVE (on-demand) or SPOT_PRICE_CAPACITY_OPTIMIZED (spot)',
      },
    );
  }

  (raw.instanceTypes ?? []).forEach((t, j) => {
    const problem = instanceTypeProblem(t);
    if (problem) report(['instanceTypes', j], problem.message, problem.hint, 'BATCH_INSTANCE_TYPE');
  });

  if (ce.minVcpus > ce.maxVcpus) {
    report(
      'minVcpus',
      `minVcpus (${ce.minVcpus}) is more than maxVcpus (${ce.maxVcpus})`,
      'lower minVcpus or raise maxVcpus',
      'BATCH_VCPUS',
    );
  }
  if (ce.desiredVcpus !== undefined && (ce.desiredVcpus < ce.minVcpus || ce.desiredVcpus > ce.maxVcpus)) {
    report(
      'desiredVcpus',
      `desiredVcpus (${ce.desiredVcpus}) is outside [minVcpus, maxVcpus] = [${ce.minVcpus}, ${ce.maxVcpus}]`,
      'set desiredVcpus between minVcpus and maxVcpus, or leave it out',
      'BATCH_VCPUS',
    );
  }
  if (raw.launchTemplate && raw.rootVolumeGiB !== undefined) {
    report(
      'rootVolumeGiB',
      'rootVolumeGiB sizes the launch template mfinfra makes, but launchTemplate names your own',
      'set the volume size in your launch template, or remove launchTemplate',
      'BATCH_LAUNCH_TEMPLATE',
    );
  }
}

/** AWS-managed policies that grant whole services (or everything): never on the job role. */
const BROAD_POLICY = /:iam::aws:policy\/(?:.*\/)?(\w*FullAccess\w*|AdministratorAccess|PowerUserAccess)$/;

function checkJobRole(ctx: PluginContext, options: BatchOptions): void {
  (options.jobRole?.managedPolicyArns ?? []).forEach((arn, i) => {
    const broad = BROAD_POLICY.exec(arn);
    if (broad) {
      ctx.report(`the job role may not carry the AWS-managed policy ${broad[1]}: it grants far more than Metaflow's jobs need`, {
        path: ['jobRole', 'managedPolicyArns', i],
        hint: 'write a customer-managed policy that allows only the actions and resources your steps use, and list its ARN here',
        code: 'BATCH_BROAD_POLICY',
      });
    }
  });
}
