/**
 * `mfinfra init --from-stack NAME`: read a deployed stack of the official Metaflow CloudFormation
 * template (outerbounds/metaflow-tools `metaflow-cfn-template.yml`: its parameters, outputs and
 * resources) and write the mfinfra manifest that creates the equivalent deployment, keeping the same
 * datastore bucket (so the sysroot, and every flow's artifacts, stay where they are) and the same
 * DynamoDB table, with a report of what differs. A stack that is not the official template is refused
 * before anything is written.
 *
 * Reading the stack is `readOfficialStack` (DescribeStacks, ListStackResources); everything after it
 * is pure.
 */
import { DescribeStacksCommand, ListStackResourcesCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { fail } from '../errors.js';
import { isStackMissing } from '../deploy/awsErrors.js';
import { callAws, type PollOptions } from '../deploy/poll.js';

/** What `init --from-stack` reads of a deployed stack. */
export interface DeployedStack {
  stackName: string;
  region: string;
  status: string;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  /** logical id → { type, physical id } */
  resources: Record<string, { type: string; physicalId?: string }>;
}

/**
 * The official template's resources that identify it (logical id → type), present whatever its
 * parameters: networking, the bucket, Batch, the metadata service and its database, scheduling.
 */
export const OFFICIAL_SIGNATURE: Readonly<Record<string, string>> = {
  VPC: 'AWS::EC2::VPC',
  MetaflowS3Bucket: 'AWS::S3::Bucket',
  ComputeEnvironment: 'AWS::Batch::ComputeEnvironment',
  JobQueue: 'AWS::Batch::JobQueue',
  BatchS3TaskRole: 'AWS::IAM::Role',
  ECSFargateService: 'AWS::ECS::Service',
  RDSMasterInstance: 'AWS::RDS::DBInstance',
  StepFunctionsStateDDB: 'AWS::DynamoDB::Table',
  StepFunctionsRole: 'AWS::IAM::Role',
  EventBridgeRole: 'AWS::IAM::Role',
};

/** Old logical id → the mfinfra logical id it is imported as, for the resources a migration imports. */
export const IMPORTED_AS: Readonly<Record<string, string>> = {
  MetaflowS3Bucket: 'DatastoreBucket',
  StepFunctionsStateDDB: 'SchedulingStateTable',
};

/**
 * The old stack's resources that hold data, and what the migration does with each: `import` (into
 * the new stack), `retain` (kept outside any stack), `snapshot` (the RDS instance: a manual snapshot,
 * then deleted with the stack).
 */
export const OFFICIAL_STATEFUL: Readonly<Record<string, 'import' | 'retain' | 'snapshot'>> = {
  MetaflowS3Bucket: 'import',
  StepFunctionsStateDDB: 'import',
  RDSMasterInstance: 'snapshot',
  MyRDSSecret: 'retain',
  MetadataServiceLogGroup: 'retain',
  ServiceLogGroupUIService: 'retain',
  ServiceLogGroupUIStatic: 'retain',
  RandomString: 'retain',
};

export async function readDeployedStack(
  cfn: CloudFormationClient,
  stackName: string,
  region: string,
  options: PollOptions = {},
): Promise<DeployedStack> {
  let stack;
  try {
    stack = (await callAws('describe the stack', (o) => cfn.send(new DescribeStacksCommand({ StackName: stackName }), o), options))
      .Stacks?.[0];
  } catch (e) {
    if (isStackMissing((e as { cause?: unknown }).cause ?? e)) stack = undefined;
    else throw e;
  }
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') {
    throw fail.NOT_OFFICIAL_STACK(`stack ${stackName} does not exist in ${region}`, {
      hint: 'check the name, --region and --profile; nothing was written',
      kind: 'runtime',
    });
  }
  const resources: DeployedStack['resources'] = {};
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await callAws(
      'list the stack resources',
      (o) => cfn.send(new ListStackResourcesCommand({ StackName: stack.StackId ?? stackName, NextToken: token }), o),
      options,
    );
    for (const r of page.StackResourceSummaries ?? []) {
      if (r.LogicalResourceId && r.ResourceType) {
        resources[r.LogicalResourceId] = { type: r.ResourceType, ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}) };
      }
    }
    token = page.NextToken;
  }
  return {
    stackName,
    region,
    status: stack.StackStatus ?? 'UNKNOWN',
    parameters: Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ResolvedValue ?? p.ParameterValue ?? ''])),
    outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
    resources,
  };
}

/** Refuse a stack that is not a deployment of the official template, naming what it lacks. */
export function assertOfficialStack(stack: DeployedStack): void {
  const missing = Object.entries(OFFICIAL_SIGNATURE).filter(([id, type]) => stack.resources[id]?.type !== type);
  if (missing.length) {
    const found = Object.keys(stack.resources).length;
    throw fail.NOT_OFFICIAL_STACK(
      `stack ${stack.stackName} is not a deployment of the official Metaflow CloudFormation template: it has no ${missing
        .map(([id, type]) => `${id} (${type})`)
        .join(', ')} (${found} resource${found === 1 ? '' : 's'} found)`,
      {
        hint: 'init --from-stack reads stacks made by metaflow-cfn-template.yml (outerbounds/metaflow-tools); for another setup, start from `mfinfra init` or `mfinfra init --from-config`; nothing was written',
      },
    );
  }
  if (stack.status.endsWith('_IN_PROGRESS') || stack.status.endsWith('_FAILED') || stack.status === 'ROLLBACK_COMPLETE') {
    throw fail.STACK_STATE(`stack ${stack.stackName} is in ${stack.status}; read it once it is stable`, {
      hint: 'nothing was written',
    });
  }
}

export interface FromStackOptions {
  /** The new stack's name (default: the old one's; a migration deletes the old stack before the new one exists). */
  stackName?: string;
  /** Workloads in private subnets behind NAT gateways (the official template has public subnets only). */
  privateNetworking?: boolean;
}

/** One line of the report: what is kept, what mfinfra changes, what it adds, what is not carried over. */
export interface ReportLine {
  kind: 'kept' | 'changed' | 'added' | 'dropped';
  what: string;
}

export interface FromStackResult {
  text: string;
  report: ReportLine[];
  /** The resources a migration imports: new logical id → physical id (bucket name, table name). */
  imports: Record<string, string>;
  bucket: string;
  plugins: string[];
}

const yamlString = (s: string) =>
  /^[A-Za-z0-9_./@-]+$/.test(s) && !/^(true|false|null|yes|no|on|off|[0-9.]+)$/i.test(s) ? s : JSON.stringify(s);

function num(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && value !== '' && value !== undefined ? n : fallback;
}

/** The manifest for a deployed official stack, and the report of what differs. */
export function manifestFromOfficialStack(stack: DeployedStack, options: FromStackOptions = {}): FromStackResult {
  assertOfficialStack(stack);
  const p = stack.parameters;
  const bucket = stack.resources.MetaflowS3Bucket!.physicalId;
  const table = stack.resources.StepFunctionsStateDDB!.physicalId;
  if (!bucket || !table) {
    throw fail.NOT_OFFICIAL_STACK(`stack ${stack.stackName} has no physical id for its bucket or table`, {
      hint: 'the stack may not be fully created; nothing was written',
      kind: 'runtime',
    });
  }
  const fargate = (p.BatchType ?? 'ec2') === 'fargate';
  const ui = p.EnableUI === 'true';
  const notebook = (p.EnableSagemaker ?? 'true') === 'true';
  const userRole = p.CustomRole === 'true';
  const apiKey = (p.APIBasicAuth ?? 'true') === 'true';
  const instanceTypes = (p.ComputeEnvInstanceTypes ?? 'c4.large,c4.xlarge,c4.2xlarge,c4.4xlarge,c4.8xlarge')
    .split(',')
    // (moto answers a CommaDelimitedList parameter as a Python list literal, "['c4.large', 'c4.xlarge']")
    .map((s) => s.replace(/[[\]'"]/g, '').trim())
    .filter(Boolean);
  const plugins = ['network', 'datastore', 'batch', 'metadata', 'scheduling', ...(userRole ? ['access'] : [])];
  const report: ReportLine[] = [];
  const name = options.stackName ?? stack.stackName;
  const lines: string[] = [
    `# Generated by \`mfinfra init --from-stack ${stack.stackName}\` from a stack of the official Metaflow`,
    '# CloudFormation template. It creates the equivalent deployment with mfinfra; the datastore bucket and',
    '# the DynamoDB table are the existing ones (imported by `mfinfra migrate`, see docs/migrate.md).',
    'version: 1',
    '',
    'stack:',
    `  name: ${yamlString(name)}`,
    `  region: ${yamlString(stack.region)}`,
    '',
    `plugins: [${plugins.join(', ')}]`,
    '',
    'network:',
    '  create:',
    `    cidr: ${yamlString(p.VPCCidr || '10.20.0.0/16')}`,
    '    azs: 2',
  ];
  if (options.privateNetworking) {
    lines.push('    private: true # workloads in private subnets, internet through NAT (the official template has public subnets only)');
    report.push({
      kind: 'changed',
      what: 'networking: private subnets behind NAT gateways; no task gets a public IP (the official template runs everything in public subnets)',
    });
  } else {
    report.push({
      kind: 'kept',
      what: 'networking: a new VPC with the same CIDR and public subnets (pass --private-networking for private subnets behind NAT)',
    });
  }
  lines.push(
    '',
    'datastore:',
    '  bucket:',
    `    name: ${yamlString(bucket)} # the existing bucket: the sysroot stays s3://${bucket}/metaflow`,
    '  sysroot: metaflow',
    '  datatools: data # the official template uses s3://<bucket>/data (not <sysroot>/data)',
    '',
    'batch:',
    '  computeEnvironments:',
    '    - name: cpu',
  );
  report.push({
    kind: 'kept',
    what: `datastore: bucket ${bucket}, sysroot s3://${bucket}/metaflow, datatools s3://${bucket}/data (flows and artifacts stay readable)`,
  });
  report.push({
    kind: 'added',
    what: 'datastore: a TLS-only bucket policy, S3 Object Ownership (ACLs off), server access logs to a new log bucket, a rule aborting incomplete uploads after 7 days',
  });
  if (fargate) {
    lines.push('      type: fargate', `      maxVcpus: ${num(p.MaxVCPUBatch, 64)}`);
  } else {
    lines.push(
      `      instanceTypes: [${instanceTypes.join(', ')}]`,
      `      minVcpus: ${num(p.MinVCPUBatch, 8)}`,
      `      maxVcpus: ${num(p.MaxVCPUBatch, 64)}`,
    );
  }
  report.push({
    kind: 'changed',
    what: `batch: ${fargate ? 'a Fargate' : 'an EC2'} compute environment (max ${num(p.MaxVCPUBatch, 64)} vCPUs) in its own security group instead of the VPC default one; the job queue gets a new name (METAFLOW_BATCH_JOB_QUEUE changes in the new config)`,
  });
  if (p.AdditionalWorkerPolicyArn) {
    lines.push('  jobRole:', `    managedPolicyArns: [${yamlString(p.AdditionalWorkerPolicyArn)}]`);
    report.push({ kind: 'kept', what: `batch: the extra job role policy ${p.AdditionalWorkerPolicyArn}` });
  }
  lines.push(
    '',
    'metadata:',
    '  access: api-gateway # as the official template: public over HTTPS through API Gateway',
    '  image: netflixoss/metaflow_metadata_service:v2.4.12',
  );
  if (!apiKey) {
    report.push({
      kind: 'changed',
      what: 'metadata: the API requires an API key (the stack ran with APIBasicAuth=false); mfinfra writes its value into the config',
    });
  }
  report.push({
    kind: 'changed',
    what: 'metadata: a new database, encrypted, never public, Multi-AZ with 7 days of backups and deletion protection (the official one is unencrypted); the old database is kept as a snapshot (see docs/migrate.md to carry its run history over)',
  });
  report.push({
    kind: 'changed',
    what: 'metadata: the database password reaches the service as an ECS secret from Secrets Manager, not in the task definition environment',
  });
  lines.push('', 'scheduling: {}', '');
  report.push({ kind: 'kept', what: `scheduling: the DynamoDB table ${table}` });
  report.push({
    kind: 'added',
    what: 'scheduling: point-in-time recovery and encryption with the AWS managed key on the table; an execution log group',
  });
  if (userRole) {
    lines.push('access: {}', '');
    report.push({ kind: 'changed', what: 'access: a least-privilege policy for the people who run flows (the stack had CustomRole=true)' });
  }
  if (ui) {
    report.push({
      kind: 'dropped',
      what: 'ui: the stack runs the Metaflow UI (EnableUI=true); add a `ui:` section (see examples/ui) with your domain and certificate',
    });
  }
  if (notebook) {
    report.push({
      kind: 'dropped',
      what: 'notebook: the stack runs a SageMaker notebook (EnableSagemaker=true); add `notebook` to plugins if you want one',
    });
  }
  if (p.IAMPartition && p.IAMPartition !== 'aws') {
    report.push({ kind: 'changed', what: `partition ${p.IAMPartition}: mfinfra templates use \${AWS::Partition}, so nothing to set` });
  }
  return {
    text: lines.join('\n'),
    report,
    imports: { [IMPORTED_AS.MetaflowS3Bucket!]: bucket, [IMPORTED_AS.StepFunctionsStateDDB!]: table },
    bucket,
    plugins,
  };
}

export interface InitFromStackInput extends FromStackOptions {
  /** The deployed stack of the official template to read. */
  fromStack: string;
  region: string;
  cfn: CloudFormationClient;
  /** Folder to write into (created if missing). Default: the working directory. */
  dir?: string;
  cwd?: string;
  poll?: PollOptions;
}

/**
 * Read the stack, build the manifest, write it (atomically, never over an existing manifest). The
 * folder is checked before any AWS call; nothing is written when the stack is not the official template.
 */
export async function initFromStack(input: InitFromStackInput): Promise<FromStackResult & { manifestFile: string; fromStack: string }> {
  const path = await import('node:path');
  const { assertNoManifest, INIT_MANIFEST_NAME } = await import('./init.js');
  const { writeFileAtomic } = await import('../io/atomicWrite.js');
  const dir = path.resolve(input.cwd ?? process.cwd(), input.dir ?? '.');
  await assertNoManifest(dir);
  const stack = await readDeployedStack(input.cfn, input.fromStack, input.region, input.poll);
  const result = manifestFromOfficialStack(stack, input);
  const manifestFile = path.join(dir, INIT_MANIFEST_NAME);
  await writeFileAtomic(manifestFile, result.text, { createDirs: true });
  return { ...result, manifestFile, fromStack: input.fromStack };
}
