import { describe, expect, it } from 'vitest';
import { cfnLint, lintVariants, noFindings } from './cfnLint.js';
import { cfnLintAvailable } from './peers.js';

const template = (props: object) =>
  JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: props } } });

describe.skipIf(!cfnLintAvailable())('cfnLint', () => {
  it('reports cfn-lint findings by template name, with the rule and where', async () => {
    const findings = await cfnLint({ clean: template({}), 'a name/with spaces': template({ NoSuchProperty: 1 }) });
    expect(findings).toEqual({
      clean: [],
      'a name/with spaces': [
        "E3002 Additional properties are not allowed ('NoSuchProperty' was unexpected) (Resources.Q.Properties.NoSuchProperty)",
      ],
    });
  });

  it('checks against the region asked for', async () => {
    // App Runner exists in us-west-2, not in us-west-1 (E3006); E3003: the service lacks its source.
    const body = JSON.stringify({
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: { R: { Type: 'AWS::AppRunner::Service', Properties: {} } },
    });
    const rules = async (region: string) => (await cfnLint({ body }, { region })).body!.map((f) => f.split(' ')[0]);
    expect(await rules('us-west-2')).toEqual(['E3003']);
    expect(await rules('us-west-1')).toEqual(['E3006']);
  });

  it('gives every template [] when all are clean', async () => {
    const bodies = { a: template({}), b: template({ DelaySeconds: 5 }) };
    expect(noFindings(bodies)).toEqual({ a: [], b: [] });
    expect(await cfnLint(bodies)).toEqual(noFindings(bodies));
  });

  it('reports a body that is not a template', async () => {
    expect(await cfnLint({ text: 'not json' })).toEqual({ text: ['E0000 Template needs to be an object.'] });
  });

  it('lints every variant in one run, each by its name (lintVariants)', async () => {
    const variants = { 'no delay': 0, 'bad property': -1 };
    const seen: string[] = [];
    const { findings, expected } = await lintVariants(variants, async (delay, name) => {
      seen.push(name);
      return template(delay < 0 ? { NoSuchProperty: 1 } : { DelaySeconds: delay });
    });
    expect(seen).toEqual(['no delay', 'bad property']);
    expect(expected).toEqual({ 'no delay': [], 'bad property': [] });
    expect(findings['no delay']).toEqual([]);
    expect(findings['bad property']).toHaveLength(1);
  });
});
