/**
 * The environment a test gives the CLI and the SDK clients it makes when AWS is moto or a mock: fake
 * credentials (never the developer's profile), and one attempt per call (a retried write against moto
 * would re-run half-done work; a mock answers at once).
 */
import { createAwsClients, type AwsClients, type AwsSettings } from '../../src/aws/clients.js';

/** Fake credentials and one attempt per call, as environment variables. */
export const FAKE_AWS_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_MAX_ATTEMPTS: '1' } as const;

/**
 * Set FAKE_AWS_ENV plus `extra` in process.env and drop AWS_PROFILE and the `unset` variables (e.g. a
 * developer's AWS_REGION or AWS_ENDPOINT_URL); returns what puts the environment back.
 */
export function useFakeAwsEnv(extra: Record<string, string> = {}, unset: readonly string[] = []): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, FAKE_AWS_ENV, extra);
  for (const key of ['AWS_PROFILE', ...unset]) delete process.env[key];
  return () => {
    process.env = saved;
  };
}

/** The deploy clients for a moto server (or another local endpoint): fake credentials, us-east-1, one attempt per call. */
export function localAwsClients(endpointUrl: string, settings: AwsSettings = {}): AwsClients {
  return createAwsClients({
    region: 'us-east-1',
    endpointUrl,
    maxAttempts: 1,
    credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY },
    ...settings,
  });
}
