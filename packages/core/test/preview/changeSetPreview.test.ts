import { describe, expect, it } from 'vitest';
import { previewFromChangeSet } from '../../src/preview/fromChangeSet.js';
import { renderPreview } from '../../src/preview/render.js';
import { RECORDED_CASES, recordedCase, type RecordedCase } from './recorded.js';

function preview(c: RecordedCase, withOldTemplate = true) {
  return previewFromChangeSet({
    stackName: c.stackName,
    changes: c.changes,
    oldTemplate: withOldTemplate ? c.oldTemplate : undefined,
    newTemplate: c.newTemplate,
    statusReason: c.statusReason,
  });
}

describe('previews of recorded change sets, compared whole', () => {
  it('covers every recorded case', () => {
    expect(RECORDED_CASES).toEqual([
      'conditional',
      'create',
      'many-pages',
      'modify-in-place',
      'modify-replace',
      'nested-details',
      'remove',
    ]);
  });

  for (const name of RECORDED_CASES) {
    it(`${name}: terminal, markdown and JSON`, async () => {
      const model = preview(recordedCase(name));
      await expect(renderPreview(model, 'terminal', { color: false })).toMatchFileSnapshot(`__snapshots__/${name}.terminal.txt`);
      await expect(renderPreview(model, 'markdown', { color: false })).toMatchFileSnapshot(`__snapshots__/${name}.md`);
      await expect(renderPreview(model, 'json', { color: false })).toMatchFileSnapshot(`__snapshots__/${name}.json`);
    });
  }
});

describe('what the preview says', () => {
  it('create: every resource is an addition, grouped by plugin, and new IAM statements broaden access', () => {
    const model = preview(recordedCase('create'));
    expect(model.summary).toEqual({ add: 10, modify: 0, replace: 0, remove: 0, import: 0 });
    expect([...new Set(model.changes.map((c) => c.owner))]).toEqual(['batch', 'datastore', 'metadata']);
    expect(model.permissionsBroadened).toBe(true);
    expect(
      model.security.filter((s) => s.kind === 'iam-statement' && s.change === 'add').map((s) => s.kind === 'iam-statement' && s.actions),
    ).toContainEqual(['s3:GetObject', 's3:PutObject']);
  });

  it('modify-replace: replacement and its cause come from CloudFormation, with the retention the policies give', () => {
    const model = preview(recordedCase('modify-replace'));
    const bucket = model.changes.find((c) => c.logicalId === 'DatastoreBucket')!;
    expect(bucket).toMatchObject({
      action: 'modify',
      replacement: true,
      physicalId: 'metaflow-prod-datastore-123456789012',
      policyAction: 'ReplaceAndRetain',
      properties: [
        {
          path: 'BucketName',
          before: 'metaflow-prod-datastore-123456789012',
          after: 'metaflow-prod-artifacts-123456789012',
          replacement: 'always',
        },
      ],
    });
    expect(bucket.retention?.effect).toMatch(
      /^UpdateReplacePolicy Retain: the old resource is kept with its data, detached from the stack/,
    );
    const policy = model.changes.find((c) => c.logicalId === 'DatastoreBucketPolicy')!;
    expect(policy.replacement).toBe('conditional');
    expect(policy.properties.find((p) => p.path === 'Bucket')).toMatchObject({
      replacement: 'conditional',
      cause: 'ResourceReference: DatastoreBucket',
    });
    expect(model.summary).toEqual({ add: 0, modify: 1, replace: 2, remove: 0, import: 0 });
    expect(model.notes).toContain('values shown as {{changeSet:KNOWN_AFTER_APPLY}} are only known after the change is applied');
  });

  it("remove: what DeletionPolicy keeps comes from CloudFormation's PolicyAction", () => {
    const model = preview(recordedCase('remove'));
    const byId = Object.fromEntries(model.changes.map((c) => [c.logicalId, c]));
    expect(byId.MetadataDatabaseSecret!.retention?.effect).toMatch(/^DeletionPolicy Retain: the resource is kept/);
    expect(byId.MetadataLogGroup!.retention?.effect).toBe(
      'DeletionPolicy Delete: the resource is deleted, and with it all log events in the group (task logs)',
    );
    expect(byId.MetadataServiceSecurityGroup!.stateful).toBe(false);
    expect(model.security).toContainEqual(
      expect.objectContaining({
        kind: 'security-group-rule',
        change: 'remove',
        direction: 'ingress',
        protocol: 'TCP 8080',
        broadens: false,
      }),
    );
  });

  it('nested Details: paths inside properties, several details for one path merged, attributes kept apart', () => {
    const model = preview(recordedCase('nested-details'));
    const ce = model.changes.find((c) => c.logicalId === 'BatchComputeEnvironmentCpu')!;
    expect(ce.properties.map((p) => [p.path, p.change, p.replacement])).toEqual([
      ['(Tags)', 'modify', 'never'],
      ['ComputeResources.InstanceTypes[2]', 'add', 'never'],
      ['ComputeResources.MaxvCpus', 'modify', 'never'],
      ['ComputeResources.SecurityGroupIds[0]', 'modify', 'conditional'],
    ]);
    expect(ce.properties[2]).toMatchObject({ before: '64', after: '128' });
    expect(model.security).toContainEqual(
      expect.objectContaining({ kind: 'security-group-rule', change: 'add', protocol: 'TCP 22', peer: 'Everyone (IPv4)', broadens: true }),
    );
  });

  it('many pages: changes from every page, and the [WARN] about incomplete property values becomes a note', () => {
    const c = recordedCase('many-pages');
    expect(c.pages).toHaveLength(3);
    expect(c.pages.slice(0, 2).every((p) => typeof p.NextToken === 'string')).toBe(true);
    const model = preview(c);
    expect(model.changes.map((x) => x.logicalId).sort()).toEqual(c.changes.map((x) => x.ResourceChange!.LogicalResourceId!).sort());
    expect(model.summary).toEqual({ add: 3, modify: 3, replace: 0, remove: 1, import: 0 });
    expect(model.notes[0]).toMatch(/^CloudFormation: \[WARN\] --include-property-values option can return incomplete ChangeSet data/);
    expect(model.other).toEqual([{ section: 'Outputs', name: 'MetaflowBatchJobQueueGpu', change: 'add' }]);
  });

  it('without the deployed template, the security tables are rebuilt from BeforeContext', () => {
    for (const name of ['modify-replace', 'nested-details', 'remove']) {
      const c = recordedCase(name);
      expect(preview(c, false).security).toEqual(preview(c, true).security);
    }
  });

  it('points at the change set of a nested stack it does not expand', () => {
    const c = recordedCase('modify-in-place');
    const nested = 'arn:aws:cloudformation:us-west-2:123456789012:changeSet/nested-1/0a1b2c3d-0000-4000-8000-000000000001';
    const model = previewFromChangeSet({
      stackName: c.stackName,
      changes: [
        ...c.changes,
        {
          Type: 'Resource',
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'Extra',
            ResourceType: 'AWS::CloudFormation::Stack',
            Replacement: 'False',
            Scope: ['Properties'],
            Details: [],
            ChangeSetId: nested,
          },
        },
      ],
      newTemplate: c.newTemplate,
    });
    expect(model.notes).toEqual([`nested stack Extra has its own change set, not shown here: ${nested}`]);
    expect(model.changes.find((x) => x.logicalId === 'Extra')?.owner).toBeUndefined();
    expect(model.changes.at(-1)?.logicalId).toBe('Extra');
  });

  it('colours the terminal preview only when asked', () => {
    const model = preview(recordedCase('modify-replace'));
    const colored = renderPreview(model, 'terminal', { color: true });
    expect(colored).toContain('\u001b[31m');
    // eslint-disable-next-line no-control-regex -- stripping the ANSI colour codes the test asked for
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(renderPreview(model, 'terminal', { color: false }));
  });
});

describe('a change set without property details (as moto answers)', () => {
  it('fills the properties from the template diff, marked as such, with a note', () => {
    const c = recordedCase('modify-in-place');
    const changes = c.changes.map((ch) =>
      ch.ResourceChange
        ? { ...ch, ResourceChange: { ...ch.ResourceChange, Details: [], BeforeContext: undefined, AfterContext: undefined } }
        : ch,
    );
    const model = previewFromChangeSet({ stackName: c.stackName, changes, oldTemplate: c.oldTemplate, newTemplate: c.newTemplate });
    const modified = model.changes.filter((ch) => ch.action === 'modify');
    expect(modified.length).toBeGreaterThan(0);
    for (const ch of modified) {
      expect(ch.properties.length).toBeGreaterThan(0);
      expect(ch.properties.every((p) => p.source === 'template' && (p.before !== undefined || p.after !== undefined))).toBe(true);
    }
    expect(model.notes.join('\n')).toMatch(/gave no property details for \d+ resources?; those shown come from the template diff/);
    const terminal = renderPreview(model, 'terminal', { color: false });
    expect(terminal).toContain('(details from the template diff)');
    expect(terminal).toMatch(/→/);
    expect(renderPreview(model, 'markdown', { color: false })).toContain('(from the template diff)');
    // With CloudFormation's details, nothing is marked.
    expect(
      preview(c)
        .changes.flatMap((ch) => ch.properties)
        .some((p) => p.source),
    ).toBe(false);
  });
});

describe('a change set that is silent about replacement (moto never sends Replacement) never reads as "no"', () => {
  const bucket = (name: string) => ({
    Type: 'AWS::S3::Bucket',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: { BucketName: name },
  });
  const silent = [
    {
      Type: 'Resource' as const,
      ResourceChange: { Action: 'Modify' as const, LogicalResourceId: 'Data', ResourceType: 'AWS::S3::Bucket' },
    },
  ];

  it('the template diff predicts the replacement and names the property', () => {
    const model = previewFromChangeSet({
      stackName: 's',
      changes: silent,
      oldTemplate: { Resources: { Data: bucket('one') } },
      newTemplate: { Resources: { Data: bucket('two') } },
    });
    expect(model.changes[0]).toMatchObject({ replacement: true, replacementSource: 'predicted', stateful: true });
    expect(model.changes[0]!.properties.map((p) => p.path)).toEqual(['BucketName']);
    expect(model.notes.join('\n')).toMatch(/does not say whether Data is replaced; the template diff predicts it is replaced/);
    expect(model.summary.replace).toBe(1);
  });

  it('without the deployed template nobody can tell: a stateful resource counts as possibly replaced (the gate blocks)', () => {
    const model = previewFromChangeSet({ stackName: 's', changes: silent, newTemplate: { Resources: { Data: bucket('two') } } });
    expect(model.changes[0]).toMatchObject({ replacement: 'conditional', replacementSource: 'unknown' });
  });

  it("an explicit Replacement: 'False' is CloudFormation's answer and stands", () => {
    const model = previewFromChangeSet({
      stackName: 's',
      changes: [{ Type: 'Resource', ResourceChange: { ...silent[0]!.ResourceChange, Replacement: 'False' } }],
      newTemplate: { Resources: { Data: bucket('two') } },
    });
    expect(model.changes[0]).toMatchObject({ replacement: false });
    expect(model.changes[0]!.replacementSource).toBeUndefined();
  });
});
