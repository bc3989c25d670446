/**
 * The one place AWS SDK clients are made (loaded lazily: commands that need no AWS never import this).
 * Settings follow the ecosystem: the SDK's default credential chain, `--profile` (shared config / SSO
 * through @aws-sdk/credential-providers), `--region` (else the manifest's, else AWS_REGION), and
 * `--endpoint-url` (else the SDK's own AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> settings) so
 * LocalStack or moto can stand in for AWS.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-providers';
import { ErrorCode, ExitCode, MfinfraError } from '../errors.js';

export interface AwsSettings {
  region?: string;
  profile?: string;
  /** Overrides every service endpoint (e.g. http://127.0.0.1:5000 for moto). */
  endpointUrl?: string;
  /** SDK retry attempts (default: the SDK's standard 3; use 1 against moto). */
  maxAttempts?: number;
}

export interface AwsClients {
  readonly region: string;
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly apiGateway: APIGatewayClient;
}

/** Resolve the region: explicit, then AWS_REGION / AWS_DEFAULT_REGION. */
export function resolveRegion(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const region = explicit ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new MfinfraError(ErrorCode.MANIFEST_INVALID, 'no AWS region is set', {
      hint: 'set stack.region in the manifest, pass --region, or export AWS_REGION',
      exitCode: ExitCode.USAGE,
    });
  }
  return region;
}

export function createAwsClients(settings: AwsSettings = {}): AwsClients {
  const region = resolveRegion(settings.region);
  const common = {
    region,
    ...(settings.profile ? { credentials: fromIni({ profile: settings.profile }) } : {}),
    ...(settings.endpointUrl ? { endpoint: settings.endpointUrl } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
  };
  return {
    region,
    cloudFormation: new CloudFormationClient(common),
    s3: new S3Client({ ...common, ...(settings.endpointUrl ? { forcePathStyle: true } : {}) }),
    apiGateway: new APIGatewayClient(common),
  };
}
