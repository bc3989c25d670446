import { describe, expect, it } from 'vitest';
import type { MfinfraError } from '../errors.js';
import { renderTemplate, shellQuote, type TemplateContext } from './templates.js';

const context: TemplateContext = {
  config: { METAFLOW_DATASTORE_SYSROOT_S3: 's3://b/metaflow', METAFLOW_SERVICE_URL: 'https://x/api/?a=1&b=<2>' },
  stack: { name: 'metaflow-prod', region: 'us-west-2' },
  outputs: { MetaflowServiceUrl: 'https://x/api/?a=1&b=<2>', Weird: `it's "quoted"\nline` },
};

function fail(source: string, file = 'templates/cm.yaml.hbs'): MfinfraError {
  try {
    renderTemplate(source, file, context);
  } catch (e) {
    return e as MfinfraError;
  }
  throw new Error('expected the template to fail');
}

describe('renderTemplate', () => {
  it('renders a Kubernetes ConfigMap with YAML quoting and no HTML escaping', () => {
    const source = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{stack.name}}-metaflow
data:
  AWS_DEFAULT_REGION: {{yaml stack.region}}
{{#each config}}
  {{@key}}: {{yaml this}}
{{/each}}
  weird: {{yaml outputs.Weird}}
`;
    expect(renderTemplate(source, 'cm.yaml.hbs', context)).toBe(`apiVersion: v1
kind: ConfigMap
metadata:
  name: metaflow-prod-metaflow
data:
  AWS_DEFAULT_REGION: "us-west-2"
  METAFLOW_DATASTORE_SYSROOT_S3: "s3://b/metaflow"
  METAFLOW_SERVICE_URL: "https://x/api/?a=1&b=<2>"
  weird: "it's \\"quoted\\"\\nline"
`);
  });

  it('quotes for JSON and the shell', () => {
    expect(renderTemplate('{"url": {{json config.METAFLOW_SERVICE_URL}}, "all": {{json config}} }', 'a.json.hbs', context)).toBe(
      '{"url": "https://x/api/?a=1&b=<2>", "all": {"METAFLOW_DATASTORE_SYSROOT_S3":"s3://b/metaflow","METAFLOW_SERVICE_URL":"https://x/api/?a=1&b=<2>"} }',
    );
    expect(renderTemplate('X={{shell outputs.Weird}}', 'a.sh.hbs', context)).toBe(`X='it'\\''s "quoted"\nline'`);
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });

  it('allows optional values inside #if', () => {
    expect(renderTemplate('{{#if config.METAFLOW_NOT_SET}}yes{{else}}no{{/if}}', 'a.hbs', context)).toBe('no');
  });

  it('fails on a missing value, naming the template file, line and column', () => {
    const err = fail('data:\n  queue: {{config.METAFLOW_BATCH_JOB_QUEUE}}\n');
    expect(err.code).toBe('OUTPUT_TEMPLATE_INVALID');
    expect(err.message).toBe('template templates/cm.yaml.hbs:2:12: "METAFLOW_BATCH_JOB_QUEUE" not defined');
    expect(err.loc).toEqual({ file: 'templates/cm.yaml.hbs', line: 2, column: 12 });
    expect(err.hint).toContain('{{#if ...}}');
  });

  it('fails on a missing value passed to a quoting helper', () => {
    expect(fail('a\nb\n  x: {{yaml config.NOPE}}').message).toBe('template templates/cm.yaml.hbs:3:6: {{yaml}} got a missing value');
  });

  it('reports a template that does not compile at its position', () => {
    const err = fail('{\n  "config": {{json config}}}\n');
    expect(err.code).toBe('OUTPUT_TEMPLATE_INVALID');
    expect(err.message).toBe(
      "template templates/cm.yaml.hbs:2:26: Expecting 'CLOSE', 'OPEN_SEXPR', 'ID', 'STRING', 'NUMBER', 'BOOLEAN', 'UNDEFINED', 'NULL', 'DATA', got 'CLOSE_UNESCAPED'",
    );
    expect(err.loc).toEqual({ file: 'templates/cm.yaml.hbs', line: 2, column: 26 });
    expect(err.frame).toBe('  1 | {\n> 2 |   "config": {{json config}}}\n    |                          ^\n  3 |');
    expect(fail('line one\nqueue: {{config.X\n').loc).toEqual({ file: 'templates/cm.yaml.hbs', line: 2, column: 18 });
    const block = fail('{{#each config}}\n  {{@key}}\n{{/if}}\n');
    expect(block.message).toBe("template templates/cm.yaml.hbs:1:4: each doesn't match if");
  });

  it('blocks prototype access and unknown helpers', () => {
    expect(renderTemplate('[{{config.constructor}}]', 'a.hbs', context)).toBe('[]');
    expect(fail('{{lookupSecrets 1}}').message).toBe('template templates/cm.yaml.hbs:1:3: "lookupSecrets" not defined');
  });
});
