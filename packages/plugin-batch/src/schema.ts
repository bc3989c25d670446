import { existingExcludes, existingSchema } from './existing.js';
import type { JsonSchema } from '@mfinfra/core/plugin';

/** vCPU counts are 32-bit integers in the Batch API; AWS refuses more. */
const MAX_VCPUS = 2147483647;
/** What AWS allows in tag keys and values: letters, digits, spaces and _ . : / = + - @ (no control characters). */
const TAG_CHARACTERS = '^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$';
const TAG_KEY = '^(?![aA][wW][sS]:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$';
const TAG_KEY_RULE = 'tag keys are 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:';
const TAG_VALUE_RULE = 'tag values are up to 256 letters, digits, spaces and _ . : / = + - @ (no control characters)';

/** Names become parts of logical ids and physical names: lowercase words joined by hyphens. */
const NAME: JsonSchema = {
  type: 'string',
  pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
  maxLength: 32,
};

const TAGS: JsonSchema = {
  type: 'object',
  description: 'Tags for the EC2 instances and volumes this compute environment launches (merged over the stack tags).',
  propertyNames: { minLength: 1, maxLength: 128, pattern: TAG_KEY, description: TAG_KEY_RULE },
  additionalProperties: { type: 'string', maxLength: 256, pattern: TAG_CHARACTERS, description: TAG_VALUE_RULE },
  maxProperties: 40,
};

const computeEnvironment: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { ...NAME, description: 'Name of the compute environment, unique in this section (e.g. cpu, gpu, spot).' },
    type: { enum: ['ec2', 'fargate'], description: 'EC2 instances (default) or Fargate.' },
    provisioning: { enum: ['on-demand', 'spot'], description: 'On-Demand (default) or Spot capacity (EC2 Spot or FARGATE_SPOT).' },
    allocationStrategy: {
      enum: ['BEST_FIT', 'BEST_FIT_PROGRESSIVE', 'SPOT_CAPACITY_OPTIMIZED', 'SPOT_PRICE_CAPACITY_OPTIMIZED'],
      description: 'EC2 only. Default BEST_FIT_PROGRESSIVE (on-demand) or SPOT_PRICE_CAPACITY_OPTIMIZED (spot).',
    },
    bidPercentage: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      description: 'EC2 Spot only: the highest Spot price, as a percentage of the On-Demand price.',
    },
    instanceTypes: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      maxItems: 50,
      items: { type: 'string', minLength: 1, maxLength: 32 },
      description: 'EC2 only: families (c5, g5), sizes (c5.2xlarge) or "optimal" (default). P and G families get the ECS GPU AMI.',
    },
    minVcpus: { type: 'integer', minimum: 0, maximum: MAX_VCPUS, description: 'EC2 only: vCPUs kept running with no jobs (default 0).' },
    desiredVcpus: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_VCPUS,
      description: 'EC2 only: vCPUs to start with (between minVcpus and maxVcpus).',
    },
    maxVcpus: { type: 'integer', minimum: 1, maximum: MAX_VCPUS, description: 'Most vCPUs the environment scales to (default 64).' },
    ami: {
      enum: ['al2023', 'al2'],
      description: 'EC2 only: ECS-optimized Amazon Linux the instances run (default al2023; GPU types get its NVIDIA variant).',
    },
    imageId: { type: 'string', maxLength: 21, pattern: '^ami-[0-9a-f]{8,17}$', description: 'EC2 only: a custom AMI (must be ECS-ready).' },
    launchTemplate: {
      type: 'object',
      additionalProperties: false,
      description: 'EC2 only: your own launch template instead of the one mfinfra makes (IMDSv2, encrypted root volume).',
      properties: {
        id: { type: 'string', maxLength: 20, pattern: '^lt-[0-9a-f]{8,17}$' },
        name: { type: 'string', minLength: 3, maxLength: 128 },
        version: {
          type: 'string',
          maxLength: 20,
          pattern: '^(\\$Latest|\\$Default|[0-9]+)$',
          description: 'A number, $Latest or $Default (default $Default).',
        },
      },
      oneOf: [{ required: ['id'] }, { required: ['name'] }],
    },
    rootVolumeGiB: {
      type: 'integer',
      minimum: 30,
      maximum: 16384,
      description: 'EC2 only: size of the encrypted gp3 root volume in GiB (default 100).',
    },
    tags: TAGS,
  },
};

const jobQueue: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'computeEnvironments'],
  properties: {
    name: { ...NAME, description: 'Name of the job queue, unique in this section.' },
    priority: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      description: 'Queues sharing a compute environment are served highest priority first (default 1).',
    },
    computeEnvironments: {
      type: 'array',
      minItems: 1,
      maxItems: 3,
      items: { type: 'string', minLength: 1, maxLength: 32 },
      description: 'Compute environment names, tried in this order (at most 3, all EC2 or all Fargate).',
    },
    default: {
      type: 'boolean',
      description: 'The queue Metaflow submits to (METAFLOW_BATCH_JOB_QUEUE). Exactly one queue is the default.',
    },
  },
};

export const batchSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description:
    'AWS Batch compute environments, job queues and the IAM roles Metaflow jobs use, or an existing job queue and roles (existing).',
  dependencies: existingExcludes,
  properties: {
    existing: existingSchema,
    computeEnvironments: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: computeEnvironment,
      description: 'Managed compute environments (default: one on-demand EC2 environment named cpu).',
    },
    jobQueues: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: jobQueue,
      description: 'Job queues (default: one queue named default over every compute environment).',
    },
    jobRole: {
      type: 'object',
      additionalProperties: false,
      description: 'The role Metaflow jobs assume (METAFLOW_ECS_S3_ACCESS_IAM_ROLE). It can always read and write the datastore.',
      properties: {
        managedPolicyArns: {
          type: 'array',
          maxItems: 10,
          uniqueItems: true,
          items: { type: 'string', maxLength: 2048, pattern: '^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+' },
          description:
            'Extra managed policies for what your steps call (e.g. arn:aws:iam::123456789012:policy/read-feature-store). *FullAccess, AdministratorAccess and PowerUserAccess are refused.',
        },
      },
    },
    container: {
      type: 'object',
      additionalProperties: false,
      description: 'Default image for Batch jobs (METAFLOW_BATCH_CONTAINER_REGISTRY / _IMAGE).',
      properties: {
        registry: {
          type: 'string',
          minLength: 1,
          maxLength: 256,
          description: 'Container registry, e.g. 123456789012.dkr.ecr.us-west-2.amazonaws.com',
        },
        image: { type: 'string', minLength: 1, maxLength: 512, description: 'Image, e.g. python:3.12 or my-repo/metaflow:1.0' },
        repository: {
          type: 'object',
          additionalProperties: false,
          description:
            "Create a private ECR repository for job images (kept when the stack is deleted); sets METAFLOW_BATCH_CONTAINER_REGISTRY to this account's registry.",
          properties: {
            name: {
              type: 'string',
              pattern: '^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$',
              minLength: 2,
              maxLength: 256,
              description: 'Repository name (default <stack>-metaflow).',
            },
            untaggedImageExpiryDays: {
              type: 'integer',
              minimum: 1,
              maximum: 3650,
              description: 'Delete untagged images after this many days (default 14).',
            },
          },
        },
      },
    },
  },
};
