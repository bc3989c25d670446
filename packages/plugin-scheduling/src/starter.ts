/**
 * The section `mfinfra init` writes for this plugin (the plugin's `starter`): small, valid on its
 * own, with the settings people change first shown as comments.
 */
export const starter = `# Step Functions and EventBridge for \`step-functions create\` and @schedule.
scheduling: {}
`;
