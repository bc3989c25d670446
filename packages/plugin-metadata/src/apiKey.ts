/**
 * After deploy: the API key's value becomes METAFLOW_SERVICE_AUTH_KEY. The template and the stack's
 * Outputs hold only the key's id (stack output MetadataApiKeyId); the value is read with API
 * Gateway's GetApiKey and written only to Metaflow's config file (a secret, redacted elsewhere).
 */
import type { DeployedContext, DeployedOutput } from '@mfinfra/core/plugin';

/** The Metaflow key that holds the metadata service's API key. */
export const SERVICE_AUTH_KEY = 'METAFLOW_SERVICE_AUTH_KEY';

/** The stack Output holding the API key id. */
export const API_KEY_ID_OUTPUT = 'MetadataApiKeyId';

/** Read the key's value by its id: the one in the stack Output, or one the manifest gives (metadata.existing). */
export async function apiKeyOutputs(
  ctx: DeployedContext,
  keyId: string = ctx.stackOutput(API_KEY_ID_OUTPUT, `the API key id for ${SERVICE_AUTH_KEY}`),
): Promise<Record<string, DeployedOutput>> {
  const { APIGatewayClient, GetApiKeyCommand } = await import('@aws-sdk/client-api-gateway');
  const api = ctx.aws.client(APIGatewayClient);
  const { value } = await ctx.awsCall(`read API key ${keyId} (the value of ${SERVICE_AUTH_KEY})`, (abortSignal) =>
    api.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }), { abortSignal }),
  );
  if (!value) {
    ctx.missing(
      `API key ${keyId} for ${SERVICE_AUTH_KEY} came back without a value`,
      'check that the key exists and that the caller may read key values (apigateway:GET)',
    );
  }
  return { [SERVICE_AUTH_KEY]: { value, secret: true } };
}
