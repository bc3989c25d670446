/**
 * The CloudFormation SDK that core deploys with, for tests outside core that look at a stack directly
 * (the repository root has no AWS SDK of its own): a bare import here resolves from packages/core, for
 * vitest and for the test type-check alike.
 */
export * from '@aws-sdk/client-cloudformation';
