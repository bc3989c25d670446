/**
 * Issue 12, items 12 and 14: what CloudFormation or AWS would refuse is refused by `validate`, at its
 * position, with exit 3 — and hostile sizes are refused fast. Each case starts from a valid manifest
 * (checked first) and changes one value.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';
import { tempProject } from '../helpers/tempProject.js';

const BASE = `version: 1
stack:
  name: aws-values
  region: us-west-2
  tags:
    team: ml
plugins: [network, datastore, batch, metadata]
network:
  create:
    cidr: 10.30.0.0/16
    azs: 2
datastore:
  bucket:
    versioning: true
batch:
  computeEnvironments:
    - name: cpu
      instanceTypes: [c5]
      minVcpus: 0
      maxVcpus: 64
metadata:
  profile: development
  database:
    instanceClass: db.t4g.small
    engineVersion: '17.9'
`;

async function validate(text: string) {
  const dir = tempProject({ 'metaflow.infra.yaml': text });
  const r = await runCli(['validate', dir]);
  return { ...r, file: path.join(dir, 'metaflow.infra.yaml') };
}

function change(from: string, to: string): string {
  expect(BASE).toContain(from);
  return BASE.replace(from, to);
}

describe('the base manifest', () => {
  it('is valid', async () => {
    const r = await validate(BASE);
    expect(r.stderr).toContain('is valid: stack aws-values, 4 plugins');
    expect(r.code).toBe(0);
  });
});

describe('item 12: bounded input', () => {
  it('a 200,000-character instance type is refused at its position in well under a second', async () => {
    const start = performance.now();
    const r = await validate(change('instanceTypes: [c5]', `instanceTypes: [c${'5'.repeat(200_000)}]`));
    const ms = performance.now() - start;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('batch.computeEnvironments[0].instanceTypes[0] is too long: 200001 characters, at most 32');
    expect(r.stderr).toMatch(/metaflow\.infra\.yaml:18:23 {2}\(MANIFEST_INVALID\)/);
    expect(r.stderr.length).toBeLessThan(2000);
    expect(ms).toBeLessThan(1500);
  });

  it('the instance type check itself is linear: 40,000 characters take milliseconds (it was 5.6 s)', async () => {
    const { instanceTypeProblem } = await import('../../../plugin-batch/src/instanceTypes.js');
    const start = performance.now();
    for (const s of ['a'.repeat(40_000), `c${'5'.repeat(40_000)}x`, `${'a1'.repeat(20_000)}.`])
      expect(instanceTypeProblem(s)).toBeDefined();
    expect(performance.now() - start).toBeLessThan(100);
  });
});

describe('item 14: values AWS refuses', () => {
  it.each([
    ['maxVcpus: 64', 'maxVcpus: 1e309', 'batch.computeEnvironments[0].maxVcpus is not a finite number: 1e309', '20:17'],
    ['minVcpus: 0', 'minVcpus: 2147483648', 'batch.computeEnvironments[0].minVcpus must be <= 2147483647, not 2147483648', '19:17'],
    ['instanceTypes: [c5]', 'instanceTypes: [c99]', '"c99" is not an EC2 instance type: "c99" is not an instance family', '18:23'],
    [
      'instanceTypes: [c5]',
      'instanceTypes: [zz9.large]',
      '"zz9.large" is not an EC2 instance type: "zz9" is not an instance family',
      '18:23',
    ],
    [
      'instanceTypes: [c5]',
      'instanceTypes: [c5.huge]',
      '"c5.huge" is not an EC2 instance type: "huge" is not an instance size of c5',
      '18:23',
    ],
    [
      'instanceClass: db.t4g.small',
      'instanceClass: db.t4g.huge',
      'metadata.database.instanceClass is not a known value: "db.t4g.huge"',
      '24:20',
    ],
    ["engineVersion: '17.9'", "engineVersion: '17.99'", 'metadata.database.engineVersion is not a known value: "17.99"', '25:20'],
    ['region: us-west-2', 'region: us-wset-2', 'stack.region is not a known value: "us-wset-2"', '4:11'],
    ['  tags:\n    team: ml', '  tags:\n    "aws:team": ml', 'stack.tags has an invalid key "aws:team"', '6:5'],
    ['  tags:\n    team: ml', '  tags:\n    AWS:team: ml', 'stack.tags has an invalid key "AWS:team"', '6:5'],
    ['  tags:\n    team: ml', '  tags:\n    team: "m\\0l"', 'stack.tags.team is not valid', '6:11'],
    ['  tags:\n    team: ml', '  tags:\n    team: "m\\nl"', 'stack.tags.team is not valid', '6:11'],
    ['  tags:\n    team: ml', '  tags:\n    team: "m\\u0007l"', 'stack.tags.team is not valid', '6:11'],
    [
      '  region: us-west-2',
      '  region: us-west-2\n  templateBucket: My-Templates',
      'stack.templateBucket is not valid: "My-Templates"',
      '5:19',
    ],
    ['  region: us-west-2', '  region: us-west-2\n  roleArn: "arn:aws:iam::123456789012:role/"', 'stack.roleArn is not valid', '5:12'],
  ])('%s → %s is refused', async (from, to, message, at) => {
    const r = await validate(change(from, to));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(`metaflow.infra.yaml:${at}`);
    expect(r.stderr).not.toMatch(/^\s+at .*\.[cm]?[jt]s:\d+:\d+\)?$/m);
  });

  it('a typo of a table value gets a did-you-mean hint instead of the whole table', async () => {
    const r = await validate(change('region: us-west-2', 'region: us-wset-2'));
    expect(r.stderr).toContain('hint: did you mean "us-west-2"?');
    expect(r.stderr).not.toContain('ap-southeast-4');
  });

  it('values AWS accepts still pass: a tag with spaces and @, a role ARN with a path, a bucket with dots', async () => {
    const r = await validate(
      change(
        '  tags:\n    team: ml',
        '  roleArn: arn:aws:iam::123456789012:role/service-role/cfn-deployer\n  templateBucket: my.templates-2\n  tags:\n    team: ml @ data/science = yes',
      ),
    );
    expect(r.stderr).toContain('is valid');
    expect(r.code).toBe(0);
  });
});
