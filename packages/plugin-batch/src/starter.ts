/**
 * The section `mfinfra init` writes for this plugin (the plugin's `starter`): small, valid on its
 * own, with the settings people change first shown as comments.
 */
export const starter = `# AWS Batch: where @batch steps run.
batch:
  computeEnvironments:
    - { name: cpu, provisioning: spot, instanceTypes: [c6i, m6i], maxVcpus: 64 }
    # - { name: gpu, instanceTypes: [g5], maxVcpus: 32 }
  jobQueues:
    - { name: default, computeEnvironments: [cpu], default: true }
`;
