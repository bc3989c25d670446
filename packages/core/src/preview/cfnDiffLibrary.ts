/**
 * The two parts of `@aws-cdk/cloudformation-diff` the preview uses: its IAM and security-group
 * change tables (parsing policy documents and rules is the library's strength). Required only when
 * a template change touches a policy or a rule. The resource diff itself is ours (templateDiff.ts),
 * over a table extracted at build time (resourceSpec.ts), so the library's resource database is
 * never loaded. The CLI bundle replaces this module with plain requires, so esbuild bundles these
 * parts (scripts/bundle-cli.mjs).
 */
import { createRequire } from 'node:module';

export type IamChangesModule = typeof import('@aws-cdk/cloudformation-diff/lib/iam/iam-changes.js');
export type SecurityGroupChangesModule = typeof import('@aws-cdk/cloudformation-diff/lib/network/security-group-changes.js');

export function loadSecurityDiff(): { iam: IamChangesModule; securityGroups: SecurityGroupChangesModule } {
  const require = createRequire(import.meta.url);
  return {
    iam: require('@aws-cdk/cloudformation-diff/lib/iam/iam-changes.js') as IamChangesModule,
    securityGroups: require('@aws-cdk/cloudformation-diff/lib/network/security-group-changes.js') as SecurityGroupChangesModule,
  };
}
