/**
 * cdk-nag's AWS Solutions pack over every example (scripts/cdk-nag.mjs: each compiled template
 * loaded with CfnInclude into one CDK app, one process for all). Every example has no unsuppressed
 * error; every suppression in a template names a finding that exists and carries a reason.
 * `node scripts/cdk-nag.mjs` prints the same findings per example for a person.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../packages/core/src/index.js';
import { exampleTargets } from './helpers/examples.js';
import { nagTemplates, type NagReport } from '../scripts/cdk-nag.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = path.join(repo, 'examples');
const targets = exampleTargets(examplesDir);

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }> };

const reports: Record<string, NagReport> = {};
const controls: Record<string, NagReport> = {};

beforeAll(async () => {
  const templates: Record<string, unknown> = {};
  for (const t of targets) templates[t.name] = (await compile({ manifest: t.dir, env: t.env })).template;
  // Controls, in the same app: what the check reports once a protection or a reason is taken away.
  const minimal = structuredClone(templates.minimal) as Template;
  delete minimal.Resources.DatastoreBucket!.Properties!.LoggingConfiguration;
  const full = structuredClone(templates.full) as Template;
  delete full.Resources.MetadataDatabase!.Metadata;
  const noReason = structuredClone(templates['datastore-batch']) as Template;
  const role = noReason.Resources.BatchInstanceRole!.Metadata as { cdk_nag: { rules_to_suppress: { reason: string }[] } };
  role.cdk_nag.rules_to_suppress[0]!.reason = ' ';
  // A wildcard listed in appliesTo that the policy no longer has.
  const extraWildcard = structuredClone(templates['full-team']) as Template;
  const notebookRole = extraWildcard.Resources.NotebookRole!.Metadata as { cdk_nag: { rules_to_suppress: { applies_to: string[] }[] } };
  notebookRole.cdk_nag.rules_to_suppress[0]!.applies_to.push('Resource::arn:<AWS::Partition>:s3:::gone/*');
  const all = await nagTemplates({
    'control:stale-applies-to': extraWildcard,
    ...templates,
    'control:no-access-logs': minimal,
    'control:no-suppressions': full,
    'control:no-reason': noReason,
  });
  for (const [name, report] of Object.entries(all)) (name.startsWith('control:') ? controls : reports)[name] = report;
}, 180_000);

const keys = (findings: { rule: string; resource: string }[]) => findings.map((f) => `${f.rule} ${f.resource}`).sort();

describe('cdk-nag AwsSolutions over the examples', () => {
  for (const { name } of targets) {
    describe(name, () => {
      it('has no unsuppressed AwsSolutions error', () => {
        expect(keys(reports[name]!.errors)).toEqual([]);
      });

      it('suppresses only findings that exist, each with a reason', () => {
        expect(reports[name]!.withoutReason).toEqual([]);
        expect(reports[name]!.stale).toEqual([]);
        for (const s of reports[name]!.suppressed) expect(s.reason.length, `${s.rule} on ${s.resource}`).toBeGreaterThan(40);
      });
    });
  }

  it('reports a finding once its protection or its suppression is taken away, a suppression without a reason, and a wildcard listed that is gone', () => {
    // Without the datastore's logging, the log bucket is no longer a logging target either.
    expect(keys(controls['control:no-access-logs']!.errors)).toEqual([
      'AwsSolutions-S1 DatastoreAccessLogsBucket',
      'AwsSolutions-S1 DatastoreBucket',
    ]);
    expect(keys(controls['control:no-suppressions']!.errors)).toEqual(['AwsSolutions-RDS11 MetadataDatabase']);
    expect(controls['control:no-reason']!.withoutReason.map((s) => `${s.rule} ${s.resource}`)).toEqual([
      'AwsSolutions-IAM4 BatchInstanceRole',
    ]);
    expect(controls['control:stale-applies-to']!.stale.map((s) => `${s.rule} ${s.resource}`)).toEqual([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::gone/*] NotebookRole',
    ]);
    expect(keys(controls['control:no-reason']!.errors)).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role] BatchInstanceRole',
    ]);
  });
});
