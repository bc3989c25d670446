/**
 * The section `mfinfra init` writes for this plugin (the plugin's `starter`): small, valid on its
 * own, with the settings people change first shown as comments.
 */
export const starter = `# A least-privilege policy (stack output AccessUserPolicyArn) for the people who run flows.
access:
  readStackOutputs: true                  # users may run \`mfinfra outputs\` to write their Metaflow config
  # role:                                 # a role they assume instead of attaching the policy
  #   trustedPrincipals: [arn:aws:iam::123456789012:role/ml-engineers]
  #   requireMfa: true
`;
