/**
 * Small stand-ins for the first-party plugins: they return config outputs shaped like the real ones
 * (Refs, GetAtts, Subs and literals), and `service` declares an API key id stack output whose key
 * value its deployedOutputs hook reads with GetApiKey (as the metadata plugin does).
 */
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { getAtt, ref, sub, type DeployedOutput, type StackOutput } from '../../src/plugin.js';
import { fakePlugin } from '../../src/testing.js';

export const API_KEY_ID_OUTPUT = 'MetadataApiKeyId';

export const store = fakePlugin<{ prefix: string }>({
  key: 'store',
  schema: { type: 'object', properties: { prefix: { type: 'string' } }, additionalProperties: false },
  defaults: { prefix: 'metaflow' },
  resources: () => ({ Bucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } }),
  outputs: (_ctx, o) => ({
    METAFLOW_DEFAULT_DATASTORE: 's3',
    METAFLOW_DATASTORE_SYSROOT_S3: { value: sub(`s3://\${Bucket}/${o.prefix}`), description: 'datastore root' },
    METAFLOW_DATATOOLS_S3ROOT: sub('s3://${Bucket}/data'),
  }),
});

export const service = fakePlugin<{ auth: boolean }>({
  key: 'service',
  schema: { type: 'object', properties: { auth: { type: 'boolean' } }, additionalProperties: false },
  defaults: { auth: true },
  resources: (_ctx, o) => ({
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } },
    ...(o.auth ? { ApiKey: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Enabled: true } } } : {}),
  }),
  outputs: () => ({
    METAFLOW_DEFAULT_METADATA: 'service',
    METAFLOW_SERVICE_URL: sub('https://${Api}.execute-api.${AWS::Region}.amazonaws.com/api/'),
    METAFLOW_SERVICE_INTERNAL_URL: sub('https://${Api}.execute-api.${AWS::Region}.amazonaws.com/api/'),
  }),
  stackOutputs: (_ctx, o): Record<string, StackOutput> =>
    o.auth ? { [API_KEY_ID_OUTPUT]: { value: ref('ApiKey'), description: 'API key id' } } : {},
  async deployedOutputs(ctx, o): Promise<Record<string, DeployedOutput>> {
    if (!o.auth) return {};
    const keyId = ctx.stackOutput(API_KEY_ID_OUTPUT, 'the API key id for METAFLOW_SERVICE_AUTH_KEY');
    const api = ctx.aws.client(APIGatewayClient);
    const { value } = await ctx.awsCall(`read API key ${keyId} (the value of METAFLOW_SERVICE_AUTH_KEY)`, (abortSignal) =>
      api.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }), { abortSignal }),
    );
    if (!value) return ctx.missing(`API key ${keyId} came back without a value`);
    return { METAFLOW_SERVICE_AUTH_KEY: { value, secret: true } };
  },
});

export const queue = fakePlugin({
  key: 'queue',
  resources: () => ({
    Queue: { Type: 'AWS::Batch::JobQueue', Properties: { Priority: 1 } },
    JobRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
  }),
  outputs: () => ({
    METAFLOW_BATCH_JOB_QUEUE: ref('Queue'),
    METAFLOW_ECS_S3_ACCESS_IAM_ROLE: getAtt('JobRole', 'Arn'),
  }),
});

export const testPlugins = { store, service, queue };

/** Stack outputs as DescribeStacks returned them for a deployment of these plugins. */
export const recordedOutputs: Record<string, string> = {
  MetaflowDatastoreSysrootS3: 's3://metaflow-prod-bucket-1x2y3z/metaflow',
  MetaflowDatatoolsS3root: 's3://metaflow-prod-bucket-1x2y3z/data',
  MetaflowServiceUrl: 'https://abc123defg.execute-api.us-west-2.amazonaws.com/api/',
  MetaflowServiceInternalUrl: 'https://abc123defg.execute-api.us-west-2.amazonaws.com/api/',
  MetaflowBatchJobQueue: 'arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default',
  MetaflowEcsS3AccessIamRole: 'arn:aws:iam::123456789012:role/metaflow-prod-batch-job',
  [API_KEY_ID_OUTPUT]: 'k1a2b3c4d5',
};

export const API_KEY_VALUE = 'Sup3rS3cretApiKeyValue0123456789abcdefgh';
