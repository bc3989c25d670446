import { describe, expect, it } from 'vitest';
import { previewFromChangeSet } from '../../src/preview/fromChangeSet.js';
import { evaluateGates, type GateOptions } from '../../src/preview/gates.js';
import { renderGateResult } from '../../src/preview/render.js';
import { recordedCase } from './recorded.js';

function model(name: string) {
  const c = recordedCase(name);
  return previewFromChangeSet({ stackName: c.stackName, changes: c.changes, oldTemplate: c.oldTemplate, newTemplate: c.newTemplate });
}

const none: GateOptions = { allowReplace: [], requireApproval: 'never', approved: false };

describe('stateful gate: replacing or removing data needs --allow-replace <LogicalId>', () => {
  it('blocks a replaced bucket, saying why and what UpdateReplacePolicy keeps; --allow-replace lets it through', () => {
    const m = model('modify-replace');
    const blocked = evaluateGates(m, none);
    expect(blocked.ok).toBe(false);
    expect(blocked.approvable).toBe(false);
    expect(blocked.blocked).toEqual([
      {
        gate: 'stateful',
        logicalId: 'DatastoreBucket',
        reason:
          'DatastoreBucket (AWS::S3::Bucket) would be replaced because BucketName changes. UpdateReplacePolicy Retain: the old resource is kept with its data, detached from the stack (delete it yourself when no longer needed); the replacement starts empty',
        hint: 'if this is intended, pass --allow-replace DatastoreBucket; otherwise undo the change that causes it',
      },
    ]);
    const allowed = evaluateGates(m, { ...none, allowReplace: ['DatastoreBucket'] });
    expect(allowed.ok).toBe(true);
    expect(allowed.allowed.map((a) => a.logicalId)).toEqual(['DatastoreBucket']);
  });

  it('blocks a conditional replacement of the metadata database (snapshot kept), allowed by the flag', () => {
    const m = model('conditional');
    const blocked = evaluateGates(m, none);
    expect(blocked.blocked.map((b) => b.reason)).toEqual([
      'MetadataDatabase (AWS::RDS::DBInstance) may be replaced (CloudFormation decides at deploy time) because StorageType changes. UpdateReplacePolicy Snapshot: CloudFormation takes a final snapshot, then deletes the old resource; restoring means a new resource from the snapshot (the replacement starts empty)',
    ]);
    expect(evaluateGates(m, { ...none, allowReplace: ['MetadataDatabase'] }).ok).toBe(true);
  });

  it('blocks every removed stateful resource until each is named; other resources never need the flag', () => {
    const m = model('remove');
    expect(evaluateGates(m, none).blocked.map((b) => b.logicalId)).toEqual(['MetadataDatabaseSecret', 'MetadataLogGroup']);
    const one = evaluateGates(m, { ...none, allowReplace: ['MetadataLogGroup'] });
    expect(one.blocked.map((b) => b.logicalId)).toEqual(['MetadataDatabaseSecret']);
    expect(evaluateGates(m, { ...none, allowReplace: ['MetadataLogGroup', 'MetadataDatabaseSecret'] }).ok).toBe(true);
  });

  it('lets in-place changes of stateful resources through', () => {
    const m = model('modify-in-place');
    expect(m.changes.find((c) => c.logicalId === 'MetadataLogGroup')).toMatchObject({ stateful: true, replacement: false });
    expect(evaluateGates(m, none)).toEqual({ ok: true, blocked: [], approvalRequired: false, approvable: false, allowed: [] });
  });
});

describe('approval gate: --require-approval never | any-change | broadening', () => {
  it('broadening (default): an SG rule open to the world and a wider IAM statement need approval; --yes gives it', () => {
    const m = model('nested-details');
    const opts: GateOptions = { allowReplace: [], requireApproval: 'broadening', approved: false };
    const blocked = evaluateGates(m, opts);
    expect(blocked.ok).toBe(false);
    expect(blocked.approvable).toBe(true);
    expect(blocked.blocked).toEqual([
      {
        gate: 'approval',
        reason: 'this change broadens access: 1 IAM statement allowed, 1 security-group rule added (see the security table)',
        hint: 'review the changes, then answer y at the prompt, or pass --yes where nobody can be asked (CI); --require-approval says when to ask (broadening, any-change or never)',
      },
    ]);
    expect(evaluateGates(m, { ...opts, approved: true })).toMatchObject({ ok: true, approvalRequired: true });
    expect(evaluateGates(m, { ...opts, requireApproval: 'never' })).toMatchObject({ ok: true, approvalRequired: false });
  });

  it('broadening does not stop a change that only narrows access', () => {
    const m = model('remove');
    expect(m.permissionsBroadened).toBe(false);
    const r = evaluateGates(m, {
      allowReplace: ['MetadataLogGroup', 'MetadataDatabaseSecret'],
      requireApproval: 'broadening',
      approved: false,
    });
    expect(r.ok).toBe(true);
  });

  it('any-change: every non-empty change needs approval', () => {
    const m = model('modify-in-place');
    const blocked = evaluateGates(m, { allowReplace: [], requireApproval: 'any-change', approved: false });
    expect(blocked.blocked.map((b) => b.reason)).toEqual(['approval is required for any change (--require-approval any-change)']);
    expect(evaluateGates(m, { allowReplace: [], requireApproval: 'any-change', approved: true }).ok).toBe(true);
  });

  it('both gates at once: approval cannot clear a stateful block', () => {
    const m = model('nested-details');
    const c = recordedCase('modify-replace');
    const both = previewFromChangeSet({
      stackName: c.stackName,
      changes: [...c.changes, ...recordedCase('nested-details').changes],
      newTemplate: c.newTemplate,
    });
    expect(m.permissionsBroadened).toBe(true);
    const r = evaluateGates(both, { allowReplace: [], requireApproval: 'broadening', approved: true });
    expect(r.blocked.map((b) => b.gate)).toEqual(['stateful']);
    expect(r.approvable).toBe(false);
  });
});

describe('approval counts say what broadens', () => {
  it('a removed Deny is counted as a removed Deny, not as an addition', async () => {
    const { previewFromTemplates } = await import('../../src/preview/fromTemplates.js');
    const role = (statements: object[]) => ({
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
            Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
          },
        },
      },
    });
    const deny = { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' };
    const m = previewFromTemplates({ stackName: 's', oldTemplate: role([deny]), newTemplate: role([]) });
    const r = evaluateGates(m, { allowReplace: [], requireApproval: 'broadening', approved: false });
    expect(r.blocked.map((b) => b.reason)).toEqual(['this change broadens access: 1 Deny statement removed (see the security table)']);
  });
});

describe('rendering gate results', () => {
  it('approval is a yellow question, not a red block', () => {
    const r = evaluateGates(model('nested-details'), { allowReplace: [], requireApproval: 'broadening', approved: false });
    const text = renderGateResult(r, 'terminal', { color: true });
    expect(text).toContain('\u001b[33m! needs approval: this change broadens access');
    expect(text).not.toContain('blocked');
    expect(text).not.toContain('\u001b[31m');
  });

  it('terminal and markdown', () => {
    const r = evaluateGates(model('remove'), { allowReplace: ['MetadataLogGroup'], requireApproval: 'broadening', approved: false });
    expect(renderGateResult(r, 'terminal', { color: false })).toMatchInlineSnapshot(`
      "✗ refused: MetadataDatabaseSecret (AWS::SecretsManager::Secret) would be removed. DeletionPolicy Retain: the resource is kept with its data, detached from the stack (delete it yourself when no longer needed)
        → if this is intended, pass --allow-replace MetadataDatabaseSecret; otherwise undo the change that causes it
      ! allowed by --allow-replace: MetadataLogGroup (AWS::Logs::LogGroup) would be removed. DeletionPolicy Delete: the resource is deleted, and with it all log events in the group (task logs)
      "
    `);
    expect(renderGateResult(r, 'markdown', { color: false })).toMatchInlineSnapshot(`
      "#### ⛔ Refused by safety gates

      - MetadataDatabaseSecret (AWS::SecretsManager::Secret) would be removed. DeletionPolicy Retain: the resource is kept with its data, detached from the stack (delete it yourself when no longer needed)  
        _if this is intended, pass --allow-replace MetadataDatabaseSecret; otherwise undo the change that causes it_

      #### Allowed with \`--allow-replace\`

      - MetadataLogGroup (AWS::Logs::LogGroup) would be removed. DeletionPolicy Delete: the resource is deleted, and with it all log events in the group (task logs)
      "
    `);
  });
});
