/**
 * The S3 SDK that core deploys with, for tests outside core that look at buckets directly (the
 * repository root has no AWS SDK of its own): a bare import here resolves from packages/core.
 */
export * from '@aws-sdk/client-s3';
