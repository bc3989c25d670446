/**
 * The notebook plugin with the real first-party plugins: templates (snapshots), its promises (private
 * subnet without direct internet access, encrypted volume, no ingress, a role scoped to the
 * datastore), the lifecycle script's Metaflow config, a warning for public-only networks, cfn-lint.
 */
import { cfnLintAvailable, compileManifest, iamViolations, lintVariants, openIngress } from '@mfinfra/core/testing';
import accessPlugin from '@mfinfra/plugin-access';
import batchPlugin from '@mfinfra/plugin-batch';
import datastorePlugin from '@mfinfra/plugin-datastore';
import metadataPlugin from '@mfinfra/plugin-metadata';
import networkPlugin from '@mfinfra/plugin-network';
import schedulingPlugin from '@mfinfra/plugin-scheduling';
import uiPlugin from '@mfinfra/plugin-ui';
import { describe, expect, it } from 'vitest';
import { notebookPlugin } from '../src/index.js';

const plugins = {
  network: networkPlugin,
  datastore: datastorePlugin,
  batch: batchPlugin,
  metadata: metadataPlugin,
  scheduling: schedulingPlugin,
  ui: uiPlugin,
  access: accessPlugin,
  notebook: notebookPlugin,
};

const manifest = (notebook: string, opts: { list?: string; network?: string; extra?: string[] } = {}) =>
  [
    'version: 1',
    'stack: { name: mf-nb, region: us-west-2 }',
    `plugins: [${opts.list ?? 'network, datastore, notebook'}]`,
    `network: ${opts.network ?? '{ create: { private: true } }'}`,
    'datastore: {}',
    ...(opts.extra ?? []),
    `notebook: ${notebook}`,
    '',
  ].join('\n');

const everything = manifest('{ instanceType: ml.t3.large, volumeSizeGiB: 50 }', {
  list: 'network, datastore, batch, metadata, scheduling, ui, access, notebook',
  extra: [
    'batch: { computeEnvironments: [{ name: cpu, maxVcpus: 16 }] }',
    'metadata: { profile: development }',
    'scheduling: { stateMachinePrefix: mfnb }',
    'ui: { domainName: metaflow.example.com, certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b" }',
    'access: {}',
  ],
});

type Template = {
  Resources: Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }>;
  Outputs: Record<string, { Value: unknown }>;
};

async function compile(text: string) {
  const result = await compileManifest(text, { plugins });
  return { result, template: JSON.parse(result.body) as Template };
}

const variants: Record<string, string> = {
  'datastore only, private network, created key': manifest('{}'),
  'every plugin: the user policy on the role, the whole config': everything,
  'public-only network, your key, root access, not retained': manifest(
    '{ kmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", rootAccess: true, retainOnDelete: false }',
    { network: '{ create: {} }' },
  ),
};

it.skipIf(!cfnLintAvailable())(
  'every variant passes cfn-lint with no errors and no warnings',
  async () => {
    const { findings, expected } = await lintVariants(variants, async (text) => (await compile(text)).result.body);
    expect(findings).toEqual(expected);
  },
  180_000,
);

describe.each(Object.entries(variants))('%s', (_name, text) => {
  it('compiles to the expected template', async () => {
    const { template } = await compile(text);
    const mine = Object.fromEntries(Object.entries(template.Resources).filter(([id]) => id.startsWith('Notebook')));
    expect({ resources: mine, url: template.Outputs.NotebookUrl }).toMatchSnapshot();
  });

  it('has no ingress, no wildcard IAM, and an encrypted volume', async () => {
    const { template } = await compile(text);
    expect(iamViolations(template)).toEqual([]);
    expect(openIngress(template)).toEqual([]);
    expect(template.Resources.NotebookSecurityGroup!.Properties.SecurityGroupIngress).toBeUndefined();
    expect(
      Object.values(template.Resources).filter(
        (r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(r).includes('NotebookSecurityGroup'),
      ),
    ).toEqual([]);
    expect(template.Resources.NotebookInstance!.Properties.KmsKeyId).toBeDefined();
  });
});

describe('networking', () => {
  it('puts the notebook in a private subnet without direct internet access when the network has private subnets', async () => {
    const { template } = await compile(manifest('{}'));
    const p = template.Resources.NotebookInstance!.Properties;
    expect(p.DirectInternetAccess).toBe('Disabled');
    expect(p.SubnetId).toEqual({ Ref: 'NetworkPrivateSubnet1' });
    expect(p.RootAccess).toBe('Disabled');
  });

  it('warns that a public-only network gives the notebook direct internet access', async () => {
    const { result, template } = await compile(manifest('{}', { network: '{ create: {} }' }));
    expect(template.Resources.NotebookInstance!.Properties.DirectInternetAccess).toBe('Enabled');
    expect(result.warnings.map((w) => w.pluginCode)).toContain('NOTEBOOK_PUBLIC');
  });
});

describe('the role', () => {
  it('is scoped to the datastore without the access plugin', async () => {
    const { template } = await compile(manifest('{}'));
    const role = template.Resources.NotebookRole!.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies[0].PolicyDocument.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'MetaflowDatastoreListBucket',
      'MetaflowDatastoreReadWriteObjects',
      'DenyPresignedDatastoreAccess',
      'NotebookLogGroup',
      'NotebookLogStreams',
    ]);
    // The instance writes only its own log streams (<instance name>/...), not other notebooks'.
    const streams = role.Policies[0].PolicyDocument.Statement.find((s: { Sid: string }) => s.Sid === 'NotebookLogStreams');
    const name = template.Resources.NotebookInstance!.Properties.NotebookInstanceName as string;
    expect(streams.Resource['Fn::Sub']).toMatch(new RegExp(`:log-group:/aws/sagemaker/NotebookInstances:log-stream:${name}/\\*$`));
  });

  it("carries the access plugin's user policy when it is loaded, so flows run from the notebook as from a laptop", async () => {
    const { template } = await compile(everything);
    expect(template.Resources.NotebookRole!.Properties.ManagedPolicyArns).toEqual([{ Ref: 'AccessUserPolicy' }]);
  });
});

describe('the lifecycle configuration', () => {
  it("writes the deployment's Metaflow settings as ec2-user's config file at every start", async () => {
    const { template } = await compile(everything);
    const content = template.Resources.NotebookLifecycleConfig!.Properties.OnStart[0].Content['Fn::Base64']['Fn::Sub'];
    const [script, variables] = content as [string, Record<string, unknown>];
    const json = script.slice(script.indexOf("<<'JSON'\n") + 9, script.indexOf('\nJSON\n'));
    const config = JSON.parse(json.replace(/\$\{(V\d+)\}/g, '<$1>')) as Record<string, string>;
    const value = (key: string) => variables[/^<(V\d+)>$/.exec(config[key]!)![1]!];
    expect(Object.keys(config)).toEqual([
      'METAFLOW_BATCH_JOB_QUEUE',
      'METAFLOW_DATASTORE_SYSROOT_S3',
      'METAFLOW_DATATOOLS_S3ROOT',
      'METAFLOW_DEFAULT_DATASTORE',
      'METAFLOW_DEFAULT_METADATA',
      'METAFLOW_ECS_S3_ACCESS_IAM_ROLE',
      'METAFLOW_EVENTS_SFN_ACCESS_IAM_ROLE',
      'METAFLOW_SERVICE_INTERNAL_URL',
      'METAFLOW_SERVICE_URL',
      'METAFLOW_SFN_DYNAMO_DB_TABLE',
      'METAFLOW_SFN_IAM_ROLE',
      'METAFLOW_SFN_STATE_MACHINE_PREFIX',
      'METAFLOW_UI_URL',
    ]);
    expect(value('METAFLOW_SERVICE_URL')).toEqual({ 'Fn::Sub': 'http://${MetadataLoadBalancer.DNSName}/' });
    expect(value('METAFLOW_BATCH_JOB_QUEUE')).toEqual({ Ref: 'BatchDefaultJobQueue' });
    expect(config.METAFLOW_SFN_STATE_MACHINE_PREFIX).toBe('mfnb');
    expect(config.METAFLOW_UI_URL).toBe('https://metaflow.example.com/');
    expect(script).toContain('chown ec2-user:ec2-user /home/ec2-user/.metaflowconfig/config.json');
    expect(script).toContain('export AWS_DEFAULT_REGION=${AWS::Region}');
    expect(template.Resources.NotebookInstance!.Properties.LifecycleConfigName).toEqual({
      'Fn::GetAtt': ['NotebookLifecycleConfig', 'NotebookInstanceLifecycleConfigName'],
    });
  });

  it('outputs the notebook URL', async () => {
    const { template } = await compile(manifest('{}'));
    expect(template.Outputs.NotebookUrl!.Value).toEqual({
      'Fn::Sub': 'https://${NotebookInstance.NotebookInstanceName}.notebook.${AWS::Region}.sagemaker.aws/tree',
    });
  });
});
