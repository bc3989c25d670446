/**
 * The section `mfinfra init` writes for this plugin (the plugin's `starter`): small, valid on its
 * own, with the settings people change first shown as comments.
 */
export const starter = `# A SageMaker notebook in a private subnet, encrypted, with this deployment's Metaflow config.
notebook:
  instanceType: ml.t3.medium
  # volumeSizeGiB: 50
`;
