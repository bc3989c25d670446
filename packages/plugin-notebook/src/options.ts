import type { DeepPartial, JsonSchema } from '@mfinfra/core/plugin';

/** The `notebook:` section after defaults. */
export interface NotebookOptions {
  instanceType: string;
  volumeSizeGiB: number;
  kmsKeyArn?: string;
  rootAccess: boolean;
  retainOnDelete: boolean;
}

export const defaults: DeepPartial<NotebookOptions> = {
  instanceType: 'ml.t3.medium',
  volumeSizeGiB: 20,
  rootAccess: false,
  retainOnDelete: true,
};

/** JSON Schema of the `notebook:` section (defaults live in `defaults`, documented here). */
export const schema: JsonSchema = {
  type: 'object',
  description:
    "A SageMaker notebook instance set up for this deployment: in a private subnet without direct internet access (when the network has private subnets), an encrypted volume, its own security group with no ingress, a role scoped to the datastore (and the access plugin's policy when loaded), and the deployment's Metaflow settings written into ~/.metaflowconfig/config.json at every start.",
  additionalProperties: false,
  properties: {
    instanceType: {
      type: 'string',
      pattern: '^ml\\.[a-z0-9]+\\.[a-z0-9]+$',
      description: 'Notebook instance type (default ml.t3.medium).',
    },
    volumeSizeGiB: { type: 'integer', minimum: 5, maximum: 16384, description: 'ML storage volume size in GiB (default 20).' },
    kmsKeyArn: {
      type: 'string',
      pattern: '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$',
      description: 'Customer managed KMS key for the volume (default: a key created for the notebook, with rotation).',
    },
    rootAccess: { type: 'boolean', description: 'Let notebook users become root (default false).' },
    retainOnDelete: {
      type: 'boolean',
      description:
        'Keep the notebook instance (and the notebooks on its volume) and its key when the stack or the section is deleted (default true); delete it by hand when nobody needs the work on it.',
    },
  },
};
