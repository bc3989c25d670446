import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../src/preview/gates.js';
import { renderPreview } from '../../src/preview/render.js';
import { compileManifest } from '../../src/testing.js';
import { previewFromTemplates } from '../../src/preview/fromTemplates.js';
// @ts-expect-error — a plain JavaScript test plugin
import store from './fixtures/_plugins/store.mjs';

const cwd = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function manifest(section: string): string {
  return `version: 1\nstack: { name: plan-test, region: us-west-2 }\nplugins: [store]\nstore: ${section}\n`;
}

async function compiled(section: string) {
  return compileManifest(manifest(section), { plugins: { store }, cwd });
}

async function plan(before: string | undefined, after: string) {
  const next = await compiled(after);
  const old = before === undefined ? undefined : (await compiled(before)).template;
  return previewFromTemplates({
    stackName: next.stackName,
    oldTemplate: old,
    newTemplate: next.template,
    resourceOwners: next.resourceOwners,
    comparedWith: before === undefined ? undefined : 'the template applied at 2026-11-26T10:00:00.000Z (.mfinfra/state/plan-test.json)',
  });
}

describe('offline plan (local prediction from two templates)', () => {
  it('first run: everything is an addition, owned by its plugin, and new IAM statements broaden access', async () => {
    const model = await plan(undefined, '{}');
    expect(model).toMatchObject({ source: 'offline', firstRun: true, empty: false, permissionsBroadened: true });
    expect(model.summary).toEqual({ add: 4, modify: 0, replace: 0, remove: 0, import: 0 });
    expect(renderPreview(model, 'terminal', { color: false })).toMatchInlineSnapshot(`
      "Stack plan-test — local prediction (offline), compared with nothing applied yet (first run: everything is an addition); not CloudFormation's answer

      store
        + add         StoreBucket         AWS::S3::Bucket
        + add         StoreLogGroup       AWS::Logs::LogGroup
        + add         StoreRole           AWS::IAM::Role
        + add         StoreSecurityGroup  AWS::EC2::SecurityGroup

      Security changes (access broadens)
        + IAM Allow  sts:AssumeRole on \${StoreRole.Arn} for Service:ecs-tasks.amazonaws.com ⚠ broadens
        + IAM Allow  s3:GetObject on \${StoreBucket.Arn}/* for AWS:\${StoreRole} ⚠ broadens
        (there may be security-relevant changes not in this table, e.g. inside resource policies of unknown types)

      Other changes
        + Outputs MetaflowStoreBucket

      note: replacement is predicted from the CloudFormation resource specification (per top-level property); the change set at apply time is the authority
      Plan: 4 to add, 0 to change, 0 to replace, 0 to remove.
      "
    `);
  });

  it('no change: an empty preview that every gate lets through', async () => {
    const model = await plan('{ logRetentionDays: 30 }', '{}');
    expect(model).toMatchObject({ empty: true, firstRun: false, changes: [], security: [], other: [] });
    expect(evaluateGates(model, { allowReplace: [], requireApproval: 'any-change', approved: false }).ok).toBe(true);
    expect(renderPreview(model, 'terminal', { color: false })).toContain('No changes.');
  });

  it('an edit to a section: in-place change, predicted replacement of the bucket (blocked), broadened IAM and a new ingress rule', async () => {
    const model = await plan('{}', '{ bucketName: archive, logRetentionDays: 90, writers: true, ingressCidr: 0.0.0.0/0 }');
    expect(model.summary).toEqual({ add: 0, modify: 3, replace: 1, remove: 0, import: 0 });
    expect(renderPreview(model, 'terminal', { color: false })).toMatchInlineSnapshot(`
      "Stack plan-test — local prediction (offline), compared with the template applied at 2026-11-26T10:00:00.000Z (.mfinfra/state/plan-test.json); not CloudFormation's answer

      store
        ± replace     StoreBucket         AWS::S3::Bucket
            ~ BucketName: "plan-test-data" → "plan-test-archive" (requires replacement)
        ~ change      StoreLogGroup       AWS::Logs::LogGroup
            ~ RetentionInDays: 30 → 90
        ~ change      StoreRole           AWS::IAM::Role
            ~ Policies[0].PolicyDocument.Statement[0].Action: ["s3:GetObject"] → ["s3:GetObject","s3:PutObject"]
        ~ change      StoreSecurityGroup  AWS::EC2::SecurityGroup
            + SecurityGroupIngress: [{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"CidrIp":"0.0.0.0/0"}]

      Data at risk
        ! StoreBucket (AWS::S3::Bucket) would be replaced: UpdateReplacePolicy Retain: the old resource is kept with its data, detached from the stack (delete it yourself when no longer needed); the replacement starts empty

      Security changes (access broadens)
        + IAM Allow   s3:GetObject, s3:PutObject on \${StoreBucket.Arn}/* for AWS:\${StoreRole} ⚠ broadens
        - IAM Allow   s3:GetObject on \${StoreBucket.Arn}/* for AWS:\${StoreRole}
        + SG ingress  \${StoreSecurityGroup.GroupId}: TCP 443 from Everyone (IPv4) ⚠ broadens
        (there may be security-relevant changes not in this table, e.g. inside resource policies of unknown types)

      note: replacement is predicted from the CloudFormation resource specification (per top-level property); the change set at apply time is the authority
      Plan: 0 to add, 3 to change, 1 to replace, 0 to remove.
      "
    `);
    expect(renderPreview(model, 'markdown', { color: false })).toMatchInlineSnapshot(`
      "### mfinfra plan: \`plan-test\`

      **Plan: 0 to add, 3 to change, 1 to replace, 0 to remove.**

      > **Local prediction** (offline), compared with the template applied at 2026-11-26T10:00:00.000Z (.mfinfra/state/plan-test.json). This is not CloudFormation's answer; the change set at apply time is the authority.

      #### ⚠️ Data at risk

      - \`StoreBucket\` (\`AWS::S3::Bucket\`) would be replaced: UpdateReplacePolicy Retain: the old resource is kept with its data, detached from the stack (delete it yourself when no longer needed); the replacement starts empty

      #### Security changes (⚠️ access broadens)

      | | Effect | Actions | Resources | Principals | Broadens |
      |---|---|---|---|---|---|
      | + | Allow | \`s3:GetObject\`<br>\`s3:PutObject\` | \`\${StoreBucket.Arn}/*\` | \`AWS:\${StoreRole}\` | ⚠️ yes |
      | - | Allow | \`s3:GetObject\` | \`\${StoreBucket.Arn}/*\` | \`AWS:\${StoreRole}\` | no |

      | | Group | Direction | Protocol | Peer | Broadens |
      |---|---|---|---|---|---|
      | + | \`\${StoreSecurityGroup.GroupId}\` | ingress | TCP 443 | \`Everyone (IPv4)\` | ⚠️ yes |

      _There may be security-relevant changes not in these tables._

      #### Changes by plugin

      <details><summary><code>store</code>: 3 to change, 1 to replace</summary>

      | Action | Logical ID | Type |
      |---|---|---|
      | ± replace | \`StoreBucket\` | \`AWS::S3::Bucket\` |
      | ~ change | \`StoreLogGroup\` | \`AWS::Logs::LogGroup\` |
      | ~ change | \`StoreRole\` | \`AWS::IAM::Role\` |
      | ~ change | \`StoreSecurityGroup\` | \`AWS::EC2::SecurityGroup\` |

      \`StoreBucket\`: 1 property

      | Property | Before | After | Replacement |
      |---|---|---|---|
      | \`BucketName\` | \`"plan-test-data"\` | \`"plan-test-archive"\` | requires replacement |

      \`StoreLogGroup\`: 1 property

      | Property | Before | After | Replacement |
      |---|---|---|---|
      | \`RetentionInDays\` | \`30\` | \`90\` | no |

      \`StoreRole\`: 1 property

      | Property | Before | After | Replacement |
      |---|---|---|---|
      | \`Policies[0].PolicyDocument.Statement[0].Action\` | \`["s3:GetObject"]\` | \`["s3:GetObject","s3:PutObject"]\` | no |

      \`StoreSecurityGroup\`: 1 property

      | Property | Before | After | Replacement |
      |---|---|---|---|
      | \`SecurityGroupIngress\` |  | \`[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"CidrIp":"0.0.0.0/0"}]\` | no |

      </details>

      _Note: replacement is predicted from the CloudFormation resource specification (per top-level property); the change set at apply time is the authority_
      "
    `);
    const gates = evaluateGates(model, { allowReplace: [], requireApproval: 'broadening', approved: false });
    expect(gates.blocked.map((b) => [b.gate, b.logicalId])).toEqual([
      ['stateful', 'StoreBucket'],
      ['approval', undefined],
    ]);
    expect(evaluateGates(model, { allowReplace: ['StoreBucket'], requireApproval: 'broadening', approved: true }).ok).toBe(true);
  });

  it('a removed section: resources are removed and the retained bucket is orphaned, not deleted', async () => {
    const next = await compileManifest('version: 1\nstack: { name: plan-test, region: us-west-2 }\nplugins: []\n', { cwd });
    const old = (await compiled('{}')).template;
    const model = previewFromTemplates({ stackName: 'plan-test', oldTemplate: old, newTemplate: next.template });
    const removed = model.changes.filter((c) => c.action === 'remove');
    expect(removed.map((c) => [c.action, c.logicalId, c.owner])).toEqual([
      ['remove', 'StoreBucket', 'store'],
      ['remove', 'StoreLogGroup', 'store'],
      ['remove', 'StoreRole', 'store'],
      ['remove', 'StoreSecurityGroup', 'store'],
    ]);
    expect(removed[0]!.retention?.effect).toMatch(/^DeletionPolicy Retain: the resource is kept with its data/);
    expect(removed[1]!.retention?.effect).toMatch(/^DeletionPolicy Delete: the resource is deleted, and with it all log events/);
    expect(model.permissionsBroadened).toBe(false);
  });

  it('does not call narrowing "broadening": fewer actions in a statement, or the rule that blocks default egress', () => {
    const role = (actions: string[]) => ({
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'p',
        Roles: ['r'],
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::b/*' }] },
      },
    });
    const sg = (egress?: object[]) => ({
      Type: 'AWS::EC2::SecurityGroup',
      Properties: { GroupDescription: 'db', ...(egress ? { SecurityGroupEgress: egress } : {}) },
    });
    const noTraffic = { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32' };
    const model = previewFromTemplates({
      stackName: 's',
      oldTemplate: { Resources: { P: role(['s3:GetObject', 's3:PutObject']), G: sg() } },
      newTemplate: { Resources: { P: role(['s3:GetObject']), G: sg([noTraffic]) } },
    });
    expect(model.security.map((x) => [x.kind, x.change, x.broadens])).toEqual([
      ['iam-statement', 'add', false],
      ['iam-statement', 'remove', false],
      ['security-group-rule', 'add', false],
    ]);
    expect(model.permissionsBroadened).toBe(false);
    const wider = previewFromTemplates({
      stackName: 's',
      oldTemplate: { Resources: { P: role(['s3:GetObject']) } },
      newTemplate: { Resources: { P: role(['s3:GetObject', 's3:DeleteObject']) } },
    });
    expect(wider.permissionsBroadened).toBe(true);
  });
});
