/**
 * The section `mfinfra init` writes for this plugin (the plugin's `starter`): small, valid on its
 * own, with the settings people change first shown as comments.
 */
export const starter = `# Metaflow's metadata service (ECS Fargate + PostgreSQL on RDS, never public).
metadata:
  profile: development                    # production: Multi-AZ database, 2 tasks, 7-day backups
  access: internal                        # or api-gateway: an API key-protected public endpoint
`;
