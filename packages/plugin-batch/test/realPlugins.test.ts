/**
 * The batch plugin with the real network and datastore plugins (resolved as a manifest under
 * examples/ resolves them).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { compileManifest } from '@mfinfra/core/testing';

const cwd = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

const existing = (assignPublicIp: boolean, compute: string) => `version: 1
stack: { name: mf-real, region: us-west-2 }
plugins: [network, datastore, batch]
network:
  existing:
    vpcId: vpc-0123456789abcdef0
    subnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
    assignPublicIp: ${assignPublicIp}
batch:
  computeEnvironments:
    - ${compute}
`;

test('public subnets of an existing VPC: a warning that EC2 instances need subnets that assign public IPs', async () => {
  const r = await compileManifest(existing(true, '{ name: cpu }'), { cwd });
  expect(r.warnings.map((w) => `${w.loc?.line}:${w.loc?.column} ${w.plugin} ${w.message}`)).toEqual([
    '8:21 mfinfra:batch Batch EC2 instances get a public IP only from subnets that assign one on launch',
  ]);
});

test('no such warning for private subnets, or for Fargate only', async () => {
  expect((await compileManifest(existing(false, '{ name: cpu }'), { cwd })).warnings).toEqual([]);
  expect((await compileManifest(existing(true, '{ name: small, type: fargate }'), { cwd })).warnings).toEqual([]);
});

test('SSE-KMS datastore: the job role may use the key once (the datastore grants it; batch does not repeat it)', async () => {
  const r = await compileManifest(
    `version: 1
stack: { name: mf-real }
plugins: [network, datastore, batch]
network: { create: {} }
datastore: { bucket: { encryption: { type: sse-kms } } }
`,
    { cwd },
  );
  const statements = (
    r.template.Resources.BatchJobRole!.Properties!.Policies as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[]
  )[0]!.PolicyDocument.Statement;
  const kms = statements.filter((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith('kms:')));
  expect(kms).toHaveLength(1);
  expect(JSON.stringify(kms[0])).toContain('kms:GenerateDataKey');
});
