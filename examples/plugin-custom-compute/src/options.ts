/** The `gpuCompute:` manifest section, its defaults and its JSON Schema. */
import type { JsonSchema } from '@mfinfra/core/plugin';

export type Provisioning = 'on-demand' | 'spot';

/** The section after defaults. */
export interface GpuComputeOptions {
  /** GPU instance families or sizes Batch may launch, e.g. `g5` or `g5.2xlarge`. */
  instanceTypes: string[];
  provisioning: Provisioning;
  minVcpus: number;
  maxVcpus: number;
  /** Spot only: the highest price, as a percentage of the on-demand price, Batch pays. */
  spotMaxPricePercent?: number;
  /** Root volume size in GiB (GPU images and model weights are large). */
  volumeGiB: number;
  queue: {
    /** Suffix of the job queue name `<stack>-<name>`. */
    name: string;
    /** Scheduling priority among queues sharing compute environments (higher runs first). */
    priority: number;
  };
}

export const defaults: GpuComputeOptions = {
  instanceTypes: ['g5'],
  provisioning: 'on-demand',
  minVcpus: 0,
  maxVcpus: 64,
  volumeGiB: 100,
  queue: { name: 'gpu', priority: 10 },
};

export const schema: JsonSchema = {
  type: 'object',
  description: 'A GPU AWS Batch compute environment (NVIDIA ECS AMI) and its job queue (mfinfra-plugin-gpu-compute).',
  additionalProperties: false,
  properties: {
    instanceTypes: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z][a-z0-9-]*(\\.[a-z0-9]+)?$' },
      description: 'GPU instance families or sizes (P and G families), e.g. [g5] or [g5.2xlarge, g6.2xlarge]. Default [g5].',
    },
    provisioning: {
      enum: ['on-demand', 'spot'],
      description: 'on-demand (default) or spot (interruptible, cheaper; Batch picks capacity-optimized pools).',
    },
    minVcpus: { type: 'integer', minimum: 0, description: 'vCPUs kept running when idle. Default 0 (scale to zero).' },
    maxVcpus: { type: 'integer', minimum: 1, maximum: 100000, description: 'Upper bound of vCPUs the environment scales to. Default 64.' },
    spotMaxPricePercent: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      description: 'Spot only: pay at most this percentage of the on-demand price. Default: up to the on-demand price.',
    },
    volumeGiB: { type: 'integer', minimum: 30, maximum: 16384, description: 'Encrypted gp3 root volume size in GiB. Default 100.' },
    queue: {
      type: 'object',
      additionalProperties: false,
      description: 'The job queue Metaflow submits GPU steps to.',
      properties: {
        name: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,39}$', description: 'Queue name suffix: `<stack>-<name>`. Default gpu.' },
        priority: { type: 'integer', minimum: 0, maximum: 1000, description: 'Queue priority. Default 10.' },
      },
    },
  },
};
