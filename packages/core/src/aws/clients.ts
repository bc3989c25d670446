/**
 * The one place AWS SDK clients are made (loaded lazily: commands that need no AWS never import this).
 * Settings follow the ecosystem: the SDK's default credential chain, `--profile` (shared config / SSO
 * through @aws-sdk/credential-providers), `--region` (else the manifest's, else AWS_REGION), and
 * `--endpoint-url` (else the SDK's own AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> settings) so
 * LocalStack or moto can stand in for AWS.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { fail } from '../errors.js';

export interface AwsSettings {
  region?: string;
  profile?: string;
  /** Overrides every service endpoint (e.g. http://127.0.0.1:5000 for moto). */
  endpointUrl?: string;
  /** SDK retry attempts (default: the SDK's standard 3; use 1 against moto). */
  maxAttempts?: number;
  /**
   * Give up on one HTTP request that has not answered after this long, ms (default 30 s, or
   * MFINFRA_REQUEST_TIMEOUT_MS): a frozen endpoint cannot hold the CLI.
   */
  requestTimeoutMs?: number;
  /** Static credentials instead of the default chain (tests against an emulator). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Default for {@link AwsSettings.requestTimeoutMs}. */
export const REQUEST_TIMEOUT_MS = 30_000;

function requestTimeout(settings: AwsSettings, env: NodeJS.ProcessEnv): number {
  if (settings.requestTimeoutMs) return settings.requestTimeoutMs;
  const fromEnv = Number(env.MFINFRA_REQUEST_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : REQUEST_TIMEOUT_MS;
}

export interface AwsClients {
  readonly region: string;
  /**
   * One-line notices about the SDK itself (e.g. its Node.js support notice, which the SDK would
   * otherwise print as a multi-line process warning on every run). Empty when there is nothing to say.
   * The CLI shows them only under --debug: they are about the SDK's future, not this run.
   */
  readonly notices: readonly string[];
  /** The custom S3 endpoint in use (--endpoint-url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL), if any. */
  readonly s3Endpoint?: string;
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  /** The account id of the credentials in use (STS GetCallerIdentity, asked once, when needed). */
  readonly accountId: () => Promise<string>;
  /**
   * A client of any SDK class with these same settings (one per class), for plugins' live hooks
   * (`ctx.aws.client(BatchClient)`): the plugin depends on the SDK package, core only configures it.
   */
  readonly client: <C>(Client: new (config: never) => C) => C;
}

/** Resolve the region: explicit, then AWS_REGION / AWS_DEFAULT_REGION. */
export function resolveRegion(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const region = explicit ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw fail.MANIFEST_INVALID('no AWS region is set', {
      hint: 'set stack.region in the manifest, pass --region, or export AWS_REGION',
      kind: 'usage',
    });
  }
  return region;
}

/** Node.js major version from which the AWS SDK stops printing its support notice. */
const SDK_NODE_SUPPORT_MAJOR = 22;

/**
 * The SDK prints a multi-line `NodeVersionSupportWarning` through process.emitWarning on Node < 22
 * (@aws-sdk/core `emitWarningIfUnsupportedVersion`), which floods the terminal. Its documented switch
 * is AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true; set it (unless the user set it) and
 * return the gist as one line the CLI may show once.
 */
export function quietSdkNodeWarning(env: NodeJS.ProcessEnv = process.env, nodeVersion: string = process.version): string[] {
  const major = Number.parseInt(nodeVersion.replace(/^v/, ''), 10);
  if (env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== undefined) return [];
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!(major < SDK_NODE_SUPPORT_MAJOR)) return [];
  return [
    `the AWS SDK for JavaScript will require Node.js >= ${SDK_NODE_SUPPORT_MAJOR} for releases after January 2027 (running ${nodeVersion})`,
  ];
}

/** The custom S3 endpoint (moto, LocalStack), however it was set; S3 needs path-style addressing there. */
function customS3Endpoint(settings: AwsSettings, env: NodeJS.ProcessEnv): string | undefined {
  if (settings.endpointUrl) return settings.endpointUrl;
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

export interface SdkClientConfig {
  region: string;
  credentials?: ReturnType<typeof fromIni> | NonNullable<AwsSettings['credentials']>;
  endpoint?: string;
  maxAttempts?: number;
  requestHandler: { requestTimeout: number; throwOnRequestTimeout: boolean; connectionTimeout: number };
}

/** The settings every SDK client mfinfra makes shares: region, profile, endpoint, attempts, timeouts. */
export function sdkClientConfig(settings: AwsSettings = {}, env: NodeJS.ProcessEnv = process.env): SdkClientConfig {
  const region = resolveRegion(settings.region, env);
  return {
    region,
    ...(settings.profile ? { credentials: fromIni({ profile: settings.profile }) } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.endpointUrl ? { endpoint: settings.endpointUrl } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
    requestHandler: {
      requestTimeout: requestTimeout(settings, env),
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(10_000, requestTimeout(settings, env)),
    },
  };
}

export function createAwsClients(settings: AwsSettings = {}, env: NodeJS.ProcessEnv = process.env): AwsClients {
  const common = sdkClientConfig(settings, env);
  const region = common.region;
  const notices = quietSdkNodeWarning(env);
  const s3Endpoint = customS3Endpoint(settings, env);
  const sts = new STSClient(common);
  let account: Promise<string> | undefined;
  const made = new Map<unknown, unknown>();
  const client = <C>(Client: new (config: never) => C): C => {
    let c = made.get(Client) as C | undefined;
    if (!c) {
      // S3 behind a custom endpoint (moto, LocalStack) needs path-style addressing, as core's own S3 client.
      const config = { ...common, ...(s3Endpoint && Client.name === 'S3Client' ? { forcePathStyle: true } : {}) };
      c = new (Client as unknown as new (config: object) => C)(config);
      made.set(Client, c);
    }
    return c;
  };
  return {
    region,
    notices,
    ...(s3Endpoint ? { s3Endpoint } : {}),
    cloudFormation: new CloudFormationClient(common),
    s3: new S3Client({ ...common, ...(s3Endpoint ? { forcePathStyle: true } : {}) }),
    accountId: () => (account ??= accountIdOf(sts)),
    client,
  };
}

async function accountIdOf(sts: STSClient): Promise<string> {
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  if (!Account)
    throw fail.AWS_ERROR('STS GetCallerIdentity returned no account id', {
      hint: 'check the credentials and the endpoint (--endpoint-url)',
    });
  return Account;
}
