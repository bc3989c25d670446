/**
 * The config file for a deployment of the first-party plugins (datastore, batch, metadata with API
 * Gateway), from stack outputs recorded the way DescribeStacks returns them. The network plugin is
 * stood in for by an existing-VPC network of the agreed NetworkApi shape.
 */
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import batch from '../../../plugin-batch/src/index.js';
import datastore from '../../../plugin-datastore/src/index.js';
import metadata from '../../../plugin-metadata/src/index.js';
import { writeConfigOutputs } from '../../src/outputs/index.js';
import { compileManifest, fakeNetwork } from '../../src/testing.js';

const existingNetwork = fakeNetwork({ mode: 'existing', private: true, cidr: '10.20.0.0/16' });

const MANIFEST = `version: 1
stack: { name: metaflow-prod, region: us-west-2 }
plugins: [network, datastore, batch, metadata]
datastore: {}
batch: {}
metadata: { access: api-gateway }
outputs: { envFile: .metaflow.env }
`;

/** DescribeStacks Outputs of a deployment of MANIFEST (OutputKey → OutputValue). */
const RECORDED: Record<string, string> = {
  BatchCpuComputeEnvironmentArn: 'arn:aws:batch:us-west-2:123456789012:compute-environment/metaflow-prod-cpu',
  BatchDefaultJobQueueArn: 'arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default',
  BatchSecurityGroupId: 'sg-0123456789abcdef0',
  DatastoreBucketArn: 'arn:aws:s3:::metaflow-prod-datastorebucket-1a2b3c4d5e6f',
  DatastoreBucketName: 'metaflow-prod-datastorebucket-1a2b3c4d5e6f',
  MetadataApiKeyId: 'a1b2c3d4e5',
  MetadataDatabaseSecretArn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:metaflow-prod-db-AbCdEf',
  MetadataMigrationFunctionName: 'metaflow-prod-MetadataMigrationRunner-Gh7Jk2Lm9Np0',
  MetaflowBatchJobQueue: 'arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default',
  MetaflowDatastoreSysrootS3: 's3://metaflow-prod-datastorebucket-1a2b3c4d5e6f/metaflow',
  MetaflowDatatoolsS3root: 's3://metaflow-prod-datastorebucket-1a2b3c4d5e6f/metaflow/data',
  MetaflowDefaultDatastore: 's3',
  MetaflowDefaultMetadata: 'service',
  MetaflowEcsS3AccessIamRole: 'arn:aws:iam::123456789012:role/metaflow-prod-batch-job',
  MetaflowServiceInternalUrl: 'http://metaflow-prod-md-0123456789abcdef.elb.us-west-2.amazonaws.com/',
  MetaflowServiceUrl: 'https://q1w2e3r4t5.execute-api.us-west-2.amazonaws.com/api/',
};
const KEY = 'Zx9Yw8Xv7Wu6Vt5Us4Tr3Sq2Rp1Qo0PnMlKjIhG';

const apiGateway = mockClient(APIGatewayClient);
beforeEach(() => {
  apiGateway.reset();
  apiGateway.on(GetApiKeyCommand, { apiKey: 'a1b2c3d4e5', includeValue: true }).resolves({ id: 'a1b2c3d4e5', value: KEY });
});

describe('config outputs of the first-party plugins', () => {
  it('writes the whole config file Metaflow needs, and every promised key is present and non-empty', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfinfra-outputs-fp-'));
    const home = path.join(dir, 'mfhome');
    const compiled = await compileManifest(MANIFEST, { plugins: { network: existingNetwork, datastore, batch, metadata }, cwd: dir });
    // The recording matches this compile: every Output the template declares has a recorded value.
    expect(Object.keys(compiled.template.Outputs ?? {}).sort()).toEqual(Object.keys(RECORDED).sort());
    const result = await writeConfigOutputs({
      compiled,
      stackOutputs: RECORDED,
      region: 'us-west-2',
      options: { env: { METAFLOW_HOME: home, HOME: dir } },
    });
    const file = path.join(home, 'config.json');
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`{
    "METAFLOW_BATCH_JOB_QUEUE": "arn:aws:batch:us-west-2:123456789012:job-queue/metaflow-prod-default",
    "METAFLOW_DATASTORE_SYSROOT_S3": "s3://metaflow-prod-datastorebucket-1a2b3c4d5e6f/metaflow",
    "METAFLOW_DATATOOLS_S3ROOT": "s3://metaflow-prod-datastorebucket-1a2b3c4d5e6f/metaflow/data",
    "METAFLOW_DEFAULT_DATASTORE": "s3",
    "METAFLOW_DEFAULT_METADATA": "service",
    "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": "arn:aws:iam::123456789012:role/metaflow-prod-batch-job",
    "METAFLOW_SERVICE_AUTH_KEY": "${KEY}",
    "METAFLOW_SERVICE_INTERNAL_URL": "http://metaflow-prod-md-0123456789abcdef.elb.us-west-2.amazonaws.com/",
    "METAFLOW_SERVICE_URL": "https://q1w2e3r4t5.execute-api.us-west-2.amazonaws.com/api/"
}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Metaflow's rules (metaflow_config_funcs.init_config + from_conf): one JSON object, METAFLOW_* keys, string values.
    const loaded: unknown = JSON.parse(text);
    expect(loaded && typeof loaded === 'object' && !Array.isArray(loaded)).toBe(true);
    const config = loaded as Record<string, unknown>;
    for (const [k, v] of Object.entries(config)) {
      expect(k).toMatch(/^METAFLOW_/);
      expect(typeof v).toBe('string');
    }
    const promised = compiled.configOutputs.map((c) => c.key);
    const needed = [
      'METAFLOW_DEFAULT_DATASTORE',
      'METAFLOW_DATASTORE_SYSROOT_S3',
      'METAFLOW_DEFAULT_METADATA',
      'METAFLOW_SERVICE_URL',
      'METAFLOW_BATCH_JOB_QUEUE',
      'METAFLOW_ECS_S3_ACCESS_IAM_ROLE',
    ];
    for (const key of [...promised, ...needed, 'METAFLOW_SERVICE_AUTH_KEY']) {
      expect(config[key], key).toBeTypeOf('string');
      expect(config[key], key).not.toBe('');
    }
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(readFileSync(path.join(dir, '.metaflow.env'), 'utf8')).not.toContain(KEY);
  });
});
