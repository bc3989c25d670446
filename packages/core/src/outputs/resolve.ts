import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { AwsSettings } from '../aws/clients.js';
import type { CompileResult } from '../compile/compile.js';
import { ErrorCode, ExitCode, MfinfraError } from '../errors.js';

/** The Metaflow key that holds the metadata service's API key (a secret: written only to the config file). */
export const SERVICE_AUTH_KEY = 'METAFLOW_SERVICE_AUTH_KEY';

/**
 * The stack Output a plugin declares (with `stackOutputs`) to hold the API Gateway key **id**; after
 * deploy the key's value is fetched with GetApiKey and becomes METAFLOW_SERVICE_AUTH_KEY. The value
 * itself never appears in the template or the stack's Outputs.
 */
export const API_KEY_ID_OUTPUT = 'MetadataApiKeyId';

/** Shown instead of a secret value in every printed output. */
export const REDACTED = '<redacted>';

export interface ResolvedValues {
  /** METAFLOW_* key → value (non-empty strings only), including secrets. */
  values: Record<string, string>;
  secretKeys: Set<string>;
}

/**
 * Resolve each config output: the literal known at compile time, else the stack Output that carries
 * it. Every missing Output is reported in one error naming the key and the Output.
 */
export function resolveConfigValues(compiled: CompileResult, stackOutputs: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const c of compiled.configOutputs) {
    const value = c.literal ?? stackOutputs[c.outputName];
    if (value === undefined) {
      missing.push(`${c.key} (stack output ${c.outputName}, from ${c.plugin})`);
      continue;
    }
    if (value !== '') values[c.key] = value;
  }
  if (missing.length) {
    throw new MfinfraError(
      ErrorCode.OUTPUT_MISSING,
      `stack ${compiled.stackName} has no output for ${missing.length === 1 ? missing[0] : `these config keys: ${missing.join(', ')}`}`,
      {
        hint: 'the deployed stack is older than the manifest: run `mfinfra apply` first, or check the stack name and region',
        exitCode: ExitCode.FAILURE,
      },
    );
  }
  return sortRecord(values);
}

/** The API key id Output, when the compiled manifest declares one. */
export function apiKeyIdOf(compiled: CompileResult, stackOutputs: Record<string, string>): string | undefined {
  const declared = compiled.stackOutputs.find((s) => s.name === API_KEY_ID_OUTPUT);
  if (!declared) return undefined;
  const id = stackOutputs[API_KEY_ID_OUTPUT];
  if (id === undefined || id === '') {
    throw new MfinfraError(
      ErrorCode.OUTPUT_MISSING,
      `stack ${compiled.stackName} has no output ${API_KEY_ID_OUTPUT} (the API key id for ${SERVICE_AUTH_KEY}, from ${declared.plugin})`,
      {
        hint: 'the deployed stack is older than the manifest: run `mfinfra apply` first, or check the stack name and region',
        exitCode: ExitCode.FAILURE,
      },
    );
  }
  return id;
}

/** Fetch an API Gateway key's value by id (GetApiKey with includeValue). */
export async function fetchApiKeyValue(
  keyId: string,
  client: APIGatewayClient | undefined,
  region: string,
  aws?: AwsSettings,
): Promise<string> {
  const { GetApiKeyCommand } = await import('@aws-sdk/client-api-gateway');
  let api = client;
  if (!api) {
    const { createAwsClients } = await import('../aws/clients.js');
    api = createAwsClients({ ...aws, region }).apiGateway;
  }
  let value: string | undefined;
  try {
    value = (await api.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }))).value;
  } catch (e) {
    // Credentials, access and network failures read the same as in deploy.
    const { toDeployError } = await import('../deploy/awsErrors.js');
    throw toDeployError(e, `read API key ${keyId} (the value of ${SERVICE_AUTH_KEY})`);
  }
  if (!value) {
    throw new MfinfraError(ErrorCode.OUTPUT_MISSING, `API key ${keyId} for ${SERVICE_AUTH_KEY} came back without a value`, {
      hint: 'check that the key exists and that the caller may read key values (apigateway:GET)',
      exitCode: ExitCode.FAILURE,
    });
  }
  return value;
}

/** Replace secret values in a text (every occurrence of each secret). */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join(REDACTED);
  return out;
}

export function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k]!;
  return out;
}
