#!/usr/bin/env node
// The floor for `mfinfra plan` of a new stack (scripts/bench.mjs): the same CloudFormation calls
// plan makes, with the bare SDK and nothing else — DescribeStacks (the stack does not exist),
// CreateChangeSet (CREATE), then DescribeChangeSet with property values until the change set is
// ready, every page. Usage: node scripts/bench-sdk-floor.mjs TEMPLATE.json STACK ENDPOINT
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const [templateFile, stackName, endpoint] = process.argv.slice(2);
const require = createRequire(new URL('../packages/core/package.json', import.meta.url));
const {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
} = require('@aws-sdk/client-cloudformation');

const cfn = new CloudFormationClient({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1' });
try {
  await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
} catch (e) {
  if (!/does not exist/.test(String(e?.message))) throw e;
}
const { Id } = await cfn.send(
  new CreateChangeSetCommand({
    StackName: stackName,
    ChangeSetName: `floor-${Date.now()}`,
    ChangeSetType: 'CREATE',
    TemplateBody: readFileSync(templateFile, 'utf8'),
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
  }),
);
let token;
for (;;) {
  const d = await cfn.send(
    new DescribeChangeSetCommand({ ChangeSetName: Id, StackName: stackName, IncludePropertyValues: true, NextToken: token }),
  );
  if (d.Status === 'CREATE_PENDING' || d.Status === 'CREATE_IN_PROGRESS') {
    await new Promise((r) => setTimeout(r, 100));
    continue;
  }
  if (!d.NextToken) break;
  token = d.NextToken;
}
