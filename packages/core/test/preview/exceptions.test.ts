/**
 * The preview's deliberate exceptions: what a change's resources do not meet of the scanners' rules,
 * with the reason written on each resource, in the model and in the terminal, Markdown and JSON
 * previews; new, kept and no longer needed ones told apart; unchanged resources left out.
 */
import { describe, expect, it } from 'vitest';
import { previewFromChangeSet, previewFromTemplates, renderPreview } from '../../src/index.js';
import { scannerExceptions as scannerExceptionsForTest } from '../../src/plugin.js';

const PORT = { id: 'AwsSolutions-RDS11', reason: 'The default PostgreSQL port: only the service security group may reach it.' };
const SINGLE_AZ = { id: 'AwsSolutions-RDS3', reason: 'Single-AZ by choice of the manifest (profile development).' };
const ROLE = {
  id: 'AwsSolutions-IAM5',
  reason: 'Object keys of the datastore bucket only.',
  appliesTo: ['Resource::<Bucket.Arn>/*', 'Resource::*'],
};

const oldTemplate = {
  Resources: {
    Database: {
      Type: 'AWS::RDS::DBInstance',
      Metadata: scannerExceptionsForTest(PORT, SINGLE_AZ),
      Properties: { Engine: 'postgres', MultiAZ: false, BackupRetentionPeriod: 1 },
    },
    Untouched: { Type: 'AWS::SQS::Queue', Metadata: scannerExceptionsForTest({ id: 'AwsSolutions-SQS3', reason: 'No DLQ.' }) },
  },
};
const newTemplate = {
  Resources: {
    // Multi-AZ now: the single-AZ exception is gone; a new one for the backups appears.
    Database: {
      Type: 'AWS::RDS::DBInstance',
      Metadata: scannerExceptionsForTest(PORT, { id: 'CKV_AWS_133', reason: 'One day of backups in development.' }),
      Properties: { Engine: 'postgres', MultiAZ: true, BackupRetentionPeriod: 1 },
    },
    Role: { Type: 'AWS::IAM::Role', Metadata: scannerExceptionsForTest(ROLE), Properties: { AssumeRolePolicyDocument: {} } },
    Untouched: oldTemplate.Resources.Untouched,
  },
};

describe('deliberate exceptions in the preview', () => {
  it('lists the exceptions of the resources that change, each with its reason, marking what is new, kept and no longer needed', () => {
    const model = previewFromTemplates({ stackName: 'mf', oldTemplate, newTemplate });
    expect(model.exceptions).toEqual([
      { logicalId: 'Database', change: 'keep', scanner: 'cdk-nag', rule: 'AwsSolutions-RDS11', reason: PORT.reason },
      { logicalId: 'Database', change: 'add', scanner: 'checkov', rule: 'CKV_AWS_133', reason: 'One day of backups in development.' },
      { logicalId: 'Database', change: 'remove', scanner: 'cdk-nag', rule: 'AwsSolutions-RDS3', reason: SINGLE_AZ.reason },
      { logicalId: 'Role', change: 'add', scanner: 'cdk-nag', rule: 'AwsSolutions-IAM5', reason: ROLE.reason, appliesTo: ROLE.appliesTo },
    ]);
  });

  it('shows new and removed ones with their reasons in the terminal, and counts the kept ones', () => {
    const text = renderPreview(previewFromTemplates({ stackName: 'mf', oldTemplate, newTemplate }), 'terminal', { color: false });
    const start = text.indexOf('Deliberate exceptions');
    expect(text.slice(start, text.indexOf('\n\n', start)).split('\n')).toEqual([
      "Deliberate exceptions (scanners' rules these resources do not meet, and why)",
      '  + Database  CKV_AWS_133: One day of backups in development.',
      `  - Database  AwsSolutions-RDS3: ${SINGLE_AZ.reason}`,
      `  + Role      AwsSolutions-IAM5 [Resource::<Bucket.Arn>/*, +1 more]: ${ROLE.reason}`,
      '  1 unchanged exception on these resources (listed by --format markdown and --json)',
    ]);
  });

  it('lists every one in the Markdown preview and the JSON model', () => {
    const model = previewFromTemplates({ stackName: 'mf', oldTemplate, newTemplate });
    const md = renderPreview(model, 'markdown', { color: false });
    expect(md).toContain('#### Deliberate exceptions');
    expect(md).toContain(`| = kept | \`Database\` | cdk-nag | \`AwsSolutions-RDS11\` |  | ${PORT.reason} |`);
    expect(md).toContain(`| - removed | \`Database\` | cdk-nag | \`AwsSolutions-RDS3\` |  | ${SINGLE_AZ.reason} |`);
    expect(md).toContain(
      `| + new | \`Role\` | cdk-nag | \`AwsSolutions-IAM5\` | \`Resource::<Bucket.Arn>/*\`<br>\`Resource::*\` | ${ROLE.reason} |`,
    );
    expect(JSON.parse(renderPreview(model, 'json', { color: false })).exceptions).toEqual(model.exceptions);
  });

  it("has none when no changing resource carries one; from a change set without the deployed template, a modified resource's are unknown", () => {
    const none = previewFromTemplates({ stackName: 'mf', oldTemplate: newTemplate, newTemplate });
    expect(none.exceptions).toBeUndefined();
    expect(renderPreview(none, 'terminal', { color: false })).not.toContain('Deliberate exceptions');
    const fromChangeSet = previewFromChangeSet({
      stackName: 'mf',
      changes: [
        { Type: 'Resource', ResourceChange: { Action: 'Modify', LogicalResourceId: 'Database', ResourceType: 'AWS::RDS::DBInstance' } },
      ],
      newTemplate,
    });
    expect(fromChangeSet.exceptions?.map((e) => `${e.change} ${e.rule}`)).toEqual(['unknown AwsSolutions-RDS11', 'unknown CKV_AWS_133']);
  });
});
