import { describe, expect, it } from 'vitest';
import { cfnLint, cfnLintAvailable, noFindings } from '@mfinfra/core/testing';
import { compile } from './helpers.js';
import { variants } from './variants.js';

describe.skipIf(!cfnLintAvailable())('network templates and cfn-lint', () => {
  it('every variant passes with no errors and no warnings; an unknown property is caught (E3002)', async () => {
    const bodies: Record<string, string> = {};
    for (const [name, yaml] of Object.entries(variants)) bodies[name] = (await compile(yaml)).body;
    // A control: proves the lint runs and checks property names against CloudFormation's schema.
    bodies.control = bodies['create-public']!.replace('"EnableDnsHostnames"', '"EnableDnsHostname"');
    const findings = await cfnLint(bodies);
    const { control, ...rest } = findings;
    expect(rest).toEqual(noFindings(variants));
    expect(control!.map((f) => f.split(' ')[0])).toEqual(['E3002']);
  });
});
