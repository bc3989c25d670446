import { describe, expect, it } from 'vitest';
import { compile, findCfnLint } from './helpers.js';
import { variants } from './variants.js';

const cfnLint = await findCfnLint();
if (!cfnLint && process.env.CI) throw new Error('cfn-lint is required in CI: pip install cfn-lint');
if (!cfnLint) console.warn('skipping cfn-lint tests: cfn-lint not found (pip install cfn-lint)');

describe.skipIf(!cfnLint)('network templates and cfn-lint', () => {
  it('every variant passes with no errors and no warnings; an unknown property is caught (E3002)', async () => {
    const bodies: Record<string, string> = {};
    for (const [name, yaml] of Object.entries(variants)) bodies[name] = (await compile(yaml)).body;
    // A control: proves the lint runs and checks property names against CloudFormation's schema.
    bodies.control = bodies['create-public']!.replace('"EnableDnsHostnames"', '"EnableDnsHostname"');
    const findings = await cfnLint!(bodies);
    const { control, ...rest } = findings;
    expect(rest).toEqual(Object.fromEntries(Object.keys(variants).map((name) => [name, []])));
    expect(control!.map((f) => f.split(':')[0])).toEqual(['E3002']);
  });
});
