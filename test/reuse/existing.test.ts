/**
 * The `existing:` forms of batch, metadata and scheduling, compiled with the real first-party
 * plugins (offline): what the template holds, the config outputs, and each bad name or ARN reported
 * at its manifest position. The live checks against AWS are in test/e2e/reuse-moto.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../packages/core/src/index.js';
import { errorOf, problemsOf } from '../../packages/core/src/testing.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const example = readFileSync(path.join(repo, 'examples/reuse-existing/metaflow.infra.yaml'), 'utf8');
const cwd = path.join(repo, 'examples');

const build = (text: string) => compile({ text, cwd, manifest: 'metaflow.infra.yaml' });
const problemsOfText = async (text: string) =>
  problemsOf(await errorOf(build(text))).map((p) => `${p.at} ${p.pluginCode ?? p.code} ${p.message}`);

/** The example with one line replaced (`from` must occur once). */
function edit(from: string, to: string, text = example): string {
  expect(text.split(from).length, from).toBe(2);
  return text.replace(from, to);
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('examples/reuse-existing: every section existing', () => {
  it('creates nothing, and its config outputs are the values the manifest gives', async () => {
    const r = await build(example);
    expect(Object.keys(r.template.Resources)).toEqual(['MfinfraNoResourcesPlaceholder']);
    expect(Object.fromEntries(r.configOutputs.map((c) => [c.key, c.literal]))).toEqual({
      METAFLOW_BATCH_JOB_QUEUE: 'metaflow-queue',
      METAFLOW_DATASTORE_SYSROOT_S3: 's3://metaflow-s3/flows',
      METAFLOW_DATATOOLS_S3ROOT: 's3://metaflow-s3/data-tools',
      METAFLOW_DEFAULT_DATASTORE: 's3',
      METAFLOW_DEFAULT_METADATA: 'service',
      METAFLOW_ECS_S3_ACCESS_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-batch-role',
      METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-eventbridge',
      METAFLOW_SERVICE_INTERNAL_URL: 'http://metaflow-nlb-0123456789abcdef.elb.us-west-2.amazonaws.com/',
      METAFLOW_SERVICE_URL: 'https://a1b2c3d4e5.execute-api.us-west-2.amazonaws.com/api/',
      METAFLOW_SFN_DYNAMO_DB_TABLE: 'metaflow-step-functions-state',
      METAFLOW_SFN_IAM_ROLE: 'arn:aws:iam::123456789012:role/metaflow-step-functions',
    });
    // The key's id (never its value) is a literal Output, read after deploy to fetch the value.
    expect(r.stackOutputs.find((s) => s.name === 'MetadataApiKeyId')?.value).toBe('k1l2m3n4o5');
    expect(r.warnings).toEqual([]);
  });

  it('gives METAFLOW_ECS_FARGATE_EXECUTION_ROLE and the state machine prefix only when the manifest names them', async () => {
    const text = edit(
      '    jobRole: arn:aws:iam::123456789012:role/metaflow-batch-role\n',
      '    jobRole: arn:aws:iam::123456789012:role/metaflow-batch-role\n    fargateExecutionRole: arn:aws:iam::123456789012:role/service/ecsTaskExecutionRole\n',
      edit('scheduling:\n', 'scheduling:\n  stateMachinePrefix: mfprod\n'),
    );
    const values = Object.fromEntries((await build(text)).configOutputs.map((c) => [c.key, c.literal]));
    expect(values.METAFLOW_ECS_FARGATE_EXECUTION_ROLE).toBe('arn:aws:iam::123456789012:role/service/ecsTaskExecutionRole');
    expect(values.METAFLOW_SFN_STATE_MACHINE_PREFIX).toBe('mfprod');
  });

  it('reports each malformed name or ARN at its position', async () => {
    const text = edit(
      'jobQueue: metaflow-queue',
      'jobQueue: arn:aws:batch:us-west-2:123456789012:queue/metaflow-queue',
      edit(
        'jobRole: arn:aws:iam::123456789012:role/metaflow-batch-role',
        'jobRole: metaflow-batch-role',
        edit('table: metaflow-step-functions-state', 'table: "x"', edit('apiKeyId: k1l2m3n4o5', 'apiKeyId: the-key-value-itself')),
      ),
    );
    expect(await problemsOfText(text)).toEqual([
      `metaflow.infra.yaml:${lineOf(text, 'jobQueue:')}:15 MANIFEST_INVALID batch.existing.jobQueue is not valid: "arn:aws:batch:us-west-2:123456789012:..."`,
      `metaflow.infra.yaml:${lineOf(text, 'jobRole:')}:14 MANIFEST_INVALID batch.existing.jobRole is not valid: "metaflow-batch-role"`,
      `metaflow.infra.yaml:${lineOf(text, 'apiKeyId:')}:17 MANIFEST_INVALID metadata.existing.authKey.apiKeyId is not valid: "the-key-value-itself"`,
      `metaflow.infra.yaml:${lineOf(text, 'table:')}:12 MANIFEST_INVALID scheduling.existing.table is not valid: "x"`,
    ]);
  });

  it('refuses what would create something beside existing, at that key', async () => {
    const text = edit(
      '    jobRole: arn:aws:iam::123456789012:role/metaflow-batch-role\n',
      '    jobRole: arn:aws:iam::123456789012:role/metaflow-batch-role\n  computeEnvironments: [{ name: cpu }]\n',
      edit(
        'scheduling:\n',
        'scheduling:\n  dynamoDb: { pointInTimeRecovery: true }\n',
        edit('metadata:\n', 'metadata:\n  access: api-gateway\n'),
      ),
    );
    const e = await errorOf(build(text));
    expect(problemsOf(e).map((p) => [p.at, p.message, p.hint])).toEqual([
      [
        `metaflow.infra.yaml:${lineOf(text, 'computeEnvironments')}:3`,
        'batch.computeEnvironments is not allowed here',
        'batch.existing reuses a job queue and creates no compute: remove computeEnvironments, or remove existing to let mfinfra create the queue',
      ],
      [
        `metaflow.infra.yaml:${lineOf(text, 'access: api-gateway')}:3`,
        'metadata.access is not allowed here',
        'metadata.existing uses a service that runs already and creates nothing: remove access, or remove existing to let mfinfra create the service',
      ],
      [
        `metaflow.infra.yaml:${lineOf(text, 'dynamoDb')}:3`,
        'scheduling.dynamoDb is not allowed here',
        'scheduling.existing reuses the roles and table and creates nothing: remove dynamoDb, or remove existing to let mfinfra create them',
      ],
    ]);
  });

  it('refuses ARNs of another region or account than the stack, at their position', async () => {
    const region = edit('jobQueue: metaflow-queue', 'jobQueue: arn:aws:batch:eu-west-1:123456789012:job-queue/metaflow-queue');
    expect(await problemsOfText(region)).toEqual([
      `metaflow.infra.yaml:${lineOf(region, 'jobQueue:')}:15 BATCH_EXISTING_OTHER_REGION job queue arn:aws:batch:eu-west-1:123456789012:job-queue/metaflow-queue is in eu-west-1, but the stack deploys to us-west-2`,
    ]);
    const account = edit(
      'eventBridgeRole: arn:aws:iam::123456789012:role/metaflow-eventbridge',
      'eventBridgeRole: arn:aws:iam::999999999999:role/metaflow-eventbridge',
    );
    expect(await problemsOfText(account)).toEqual([
      `metaflow.infra.yaml:${lineOf(account, 'eventBridgeRole:')}:22 SCHEDULING_EXISTING_OTHER_ACCOUNT scheduling.existing.eventBridgeRole is in account 999999999999, but stepFunctionsRole is in account 123456789012`,
    ]);
  });

  it('takes the auth key from a Secrets Manager secret: neither the key nor a key id is in the template', async () => {
    const text = edit('      apiKeyId: k1l2m3n4o5', '      secret: metaflow/service-auth-key\n      jsonKey: apiKey');
    const r = await build(text);
    expect(r.stackOutputs.map((s) => s.name)).not.toContain('MetadataApiKeyId');
    expect(r.body).not.toContain('metaflow/service-auth-key');
    const bad = edit('      apiKeyId: k1l2m3n4o5', '      secret: "has spaces in it"');
    expect(await problemsOfText(bad)).toEqual([
      `metaflow.infra.yaml:${lineOf(bad, 'secret:')}:15 MANIFEST_INVALID metadata.existing.authKey.secret is not valid: "has spaces in it"`,
    ]);
  });

  it('refuses the UI beside an existing metadata service (the UI reads the database)', async () => {
    const text =
      edit('plugins: [network, datastore, batch, metadata, scheduling]', 'plugins: [network, datastore, batch, metadata, scheduling, ui]') +
      'ui: { domainName: mf.example.com, certificateArn: arn:aws:acm:us-west-2:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab }\n';
    const found = await problemsOfText(text);
    expect(found).toContainEqual(
      `metaflow.infra.yaml:${lineOf(text, 'serviceUrl:')}:5 METADATA_EXISTING_WITH_UI the Metaflow UI reads the metadata database, which an existing metadata service does not share with this stack`,
    );
  });
});

describe('existing sections beside created ones', () => {
  const created = (sections: string) =>
    [
      'version: 1',
      'stack: { name: mf-mixed, region: us-west-2 }',
      'plugins: [network, datastore, batch, metadata, scheduling]',
      'network: { existing: { vpcId: vpc-0123456789abcdef0, cidr: 10.20.0.0/16, subnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210] } }',
      'datastore: { existing: { bucket: metaflow-s3 } }',
      sections,
    ].join('\n');

  it('a created job role gets access to an existing table; nothing of scheduling is created', async () => {
    const r = await build(
      created(
        'metadata: { existing: { serviceUrl: "http://10.20.1.5:8080" } }\nscheduling: { existing: { stepFunctionsRole: "arn:aws:iam::123456789012:role/sfn", table: metaflow-table } }\n',
      ),
    );
    const schedulingIds = Object.entries(r.resourceOwners)
      .filter(([, owner]) => owner === 'scheduling')
      .map(([id]) => id);
    expect(schedulingIds).toEqual(['SchedulingBatchJobTablePolicy']);
    const policy = r.template.Resources.SchedulingBatchJobTablePolicy as unknown as {
      Properties: { Roles: unknown; PolicyDocument: { Statement: unknown[] } };
    };
    expect(policy.Properties.Roles).toEqual([{ Ref: 'BatchJobRole' }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ForeachStateTable',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/metaflow-table' },
      },
    ]);
    // an existing service without an internal URL: Metaflow falls back to METAFLOW_SERVICE_URL
    expect(r.configOutputs.map((c) => c.key)).not.toContain('METAFLOW_SERVICE_INTERNAL_URL');
  });

  it('an existing job queue (by name) is what a created Step Functions role may submit to; the existing job role is not changed', async () => {
    const r = await build(
      created(
        'batch: { existing: { jobQueue: metaflow-queue, jobRole: "arn:aws:iam::123456789012:role/metaflow-batch-role" } }\nmetadata: { existing: { serviceUrl: "http://10.20.1.5:8080" } }\nscheduling: {}\n',
      ),
    );
    expect(Object.keys(r.template.Resources)).not.toContain('SchedulingBatchJobTablePolicy');
    const role = r.template.Resources.SchedulingStepFunctionsRole as unknown as {
      Properties: { Policies: { PolicyDocument: { Statement: { Sid: string; Resource: unknown }[] } }[] };
    };
    const submit = role.Properties.Policies[0]!.PolicyDocument.Statement.find((s) => s.Sid === 'SubmitMetaflowBatchJobs');
    expect(submit?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-queue/metaflow-queue' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:batch:${AWS::Region}:${AWS::AccountId}:job-definition/metaflow_*' },
    ]);
    expect(r.warnings.map((w) => w.pluginCode)).toContain('EXISTING_JOB_ROLE_TABLE_ACCESS');
  });
});
