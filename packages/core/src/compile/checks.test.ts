import { describe, expect, it } from 'vitest';
import { checkTemplate, collectReferences } from './checks.js';
import type { CfnTemplate } from './template.js';

const template = (resources: CfnTemplate['Resources'], outputs: CfnTemplate['Outputs'] = {}): CfnTemplate => ({
  AWSTemplateFormatVersion: '2010-09-09',
  Description: 't',
  Metadata: { mfinfra: { generator: 'x', stack: 's', resources: {}, config: {} } },
  Resources: resources,
  Outputs: outputs,
});

describe('collectReferences', () => {
  it('finds Ref, GetAtt (both forms) and Sub variables, skipping pseudo parameters, literals and Sub-local names', () => {
    const refs = collectReferences({
      a: { Ref: 'Bucket' },
      b: { Ref: 'AWS::Region' },
      c: { 'Fn::GetAtt': ['Role', 'Arn'] },
      d: { 'Fn::GetAtt': 'Queue.Arn' },
      e: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${Local}/${Key.Arn}' },
      f: { 'Fn::Sub': ['${Local}', { Local: { Ref: 'Other' } }] },
    });
    expect(refs.map((r) => `${r.kind}:${r.target}`).sort()).toEqual(
      ['Fn::GetAtt:Queue', 'Fn::GetAtt:Role', 'Fn::Sub:Bucket', 'Fn::Sub:Key', 'Fn::Sub:Local', 'Ref:Bucket', 'Ref:Other'].sort(),
    );
  });
});

describe('checkTemplate', () => {
  const owner = () => 'mfinfra:test';
  it('accepts a consistent template and reports its size', () => {
    const t = template(
      { A: { Type: 'AWS::SNS::Topic' }, B: { Type: 'AWS::SNS::Topic', DependsOn: ['A'] } },
      { Out: { Value: { Ref: 'A' } } },
    );
    const { problems, stats } = checkTemplate(t, JSON.stringify(t), owner, owner);
    expect(problems).toEqual([]);
    expect(stats).toMatchObject({ resources: 2, outputs: 1, parameters: 0, needsS3Upload: false });
  });

  it('reports dangling DependsOn and output references with the responsible plugin', () => {
    const t = template({ A: { Type: 'AWS::SNS::Topic', DependsOn: 'Nope' } }, { Out: { Value: { 'Fn::GetAtt': ['Gone', 'Arn'] } } });
    const { problems } = checkTemplate(t, '{}', owner, owner);
    expect(problems.map((p) => [p.code, p.message, p.plugin])).toEqual([
      ['TEMPLATE_BAD_REFERENCE', 'resource A refers to "Nope" (DependsOn), which is not in the template', 'mfinfra:test'],
      ['TEMPLATE_BAD_REFERENCE', 'output Out refers to "Gone" (Fn::GetAtt), which is not in the template', 'mfinfra:test'],
    ]);
  });

  it('refuses invalid logical ids and enforces CloudFormation limits', () => {
    const resources: CfnTemplate['Resources'] = { 'bad-id': { Type: 'AWS::SNS::Topic' } };
    const outputs: CfnTemplate['Outputs'] = {};
    for (let i = 0; i < 201; i++) outputs[`O${i}`] = { Value: 'x' };
    const t = { ...template(resources, outputs), Description: 'x'.repeat(1_000_000) };
    const { problems, stats } = checkTemplate(t, JSON.stringify(t, null, 2), owner, owner);
    expect(problems.map((p) => p.message)).toEqual([
      'logical id "bad-id" is not alphanumeric (1-255 characters)',
      'the template has 201 outputs; CloudFormation allows at most 200',
      `the template is ${stats.deployBytes} bytes even minified; CloudFormation accepts at most 1000000`,
    ]);
  });

  it('marks templates whose minified JSON is over 51,200 bytes as needing an S3 upload; the readable size does not count', () => {
    const sized = (n: number) => {
      const base = JSON.stringify(template({})).length;
      return { ...template({}), Description: 't' + 'x'.repeat(n - base) };
    };
    const over = sized(51_201);
    const at = sized(51_200);
    expect(checkTemplate(over, JSON.stringify(over), owner, owner).stats).toMatchObject({ deployBytes: 51_201, needsS3Upload: true });
    expect(checkTemplate(at, JSON.stringify(at), owner, owner).stats).toMatchObject({ deployBytes: 51_200, needsS3Upload: false });
    // Pretty-printed over the limit, minified under it: inline.
    const pretty = JSON.stringify(at, null, 2) + ' '.repeat(60_000);
    expect(checkTemplate(at, pretty, owner, owner).stats).toMatchObject({ bodyBytes: pretty.length, needsS3Upload: false });
  });
});

describe('templates without resources', () => {
  it('get a placeholder that creates nothing, so a deployment of existing infrastructure still has a stack', async () => {
    const { compileManifest } = await import('../testing.js');
    const outputsOnly = {
      name: 'test:outputs-only',
      apiVersion: 1 as const,
      key: 'existing',
      optionalSection: true,
      schema: { type: 'object' },
      outputs: () => ({ METAFLOW_DATASTORE_SYSROOT_S3: 's3://existing-bucket/metaflow' }),
    };
    const r = await compileManifest('version: 1\nstack: { name: s }\nplugins: [existing]\n', { plugins: { existing: outputsOnly } });
    expect(r.template.Resources).toEqual({ MfinfraNoResourcesPlaceholder: { Type: 'AWS::CloudFormation::WaitConditionHandle' } });
    expect(r.template.Outputs.MetaflowDatastoreSysrootS3?.Value).toBe('s3://existing-bucket/metaflow');
  });
});
