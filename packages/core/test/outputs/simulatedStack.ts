/**
 * Stack Outputs as CloudFormation would report them after a deploy, for tests: each Output's value
 * expression is evaluated against deterministic physical ids shaped like the real ones (ARNs, `vpc-…`,
 * bucket names with a suffix). Moto returns no stack Outputs, so this stands in for DescribeStacks.
 * An expression or resource type it does not know fails loudly, so the simulation never guesses.
 */
import { createHash } from 'node:crypto';
import type { CfnTemplate } from '../../src/compile/template.js';
import type { CfnValue } from '../../src/plugin.js';

const ACCOUNT = '123456789012';

export function simulateStackOutputs(template: CfnTemplate, stackName: string, region: string): Record<string, string> {
  const resources = template.Resources as Record<string, { Type: string; Properties?: Record<string, CfnValue> }>;
  const hash = (s: string, n: number, alphabet = '0123456789abcdef') => {
    const bytes = createHash('sha256').update(`${stackName}/${s}`).digest();
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[bytes[i]! % alphabet.length];
    return out;
  };
  const upperAlnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const lowerAlnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const generated = (id: string) => `${stackName}-${id}-${hash(id, 12, upperAlnum)}`.slice(0, 64);
  const nameProp = (id: string, prop: string): string | undefined => {
    const v = resources[id]?.Properties?.[prop];
    return v === undefined ? undefined : evaluate(v);
  };
  const resource = (id: string) => {
    const r = resources[id];
    if (!r) throw new Error(`simulated stack: no resource ${id}`);
    return r;
  };

  function ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': region,
      'AWS::AccountId': ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::Partition': 'aws',
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stackName}/${hash('stack', 8)}-${hash('stack1', 4)}-${hash('stack2', 4)}-${hash('stack3', 4)}-${hash('stack4', 12)}`,
    };
    if (pseudo[id] !== undefined) return pseudo[id]!;
    const { Type } = resource(id);
    switch (Type) {
      case 'AWS::Batch::JobQueue':
        return `arn:aws:batch:${region}:${ACCOUNT}:job-queue/${nameProp(id, 'JobQueueName') ?? generated(id)}`;
      case 'AWS::Batch::ComputeEnvironment':
        return `arn:aws:batch:${region}:${ACCOUNT}:compute-environment/${nameProp(id, 'ComputeEnvironmentName') ?? generated(id)}`;
      case 'AWS::S3::Bucket':
        return nameProp(id, 'BucketName') ?? `${stackName}-${id}-${hash(id, 12, lowerAlnum)}`.toLowerCase().slice(0, 63);
      case 'AWS::EC2::VPC':
        return `vpc-${hash(id, 17)}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${hash(id, 17)}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-${hash(id, 17)}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${nameProp(id, 'Name') ?? generated(id)}-${hash(id, 6, upperAlnum + lowerAlnum)}`;
      case 'AWS::ApiGateway::ApiKey':
      case 'AWS::ApiGateway::RestApi':
        return hash(id, 10, lowerAlnum);
      case 'AWS::ApiGateway::Stage':
        return nameProp(id, 'StageName') ?? 'api';
      case 'AWS::DynamoDB::Table':
        return nameProp(id, 'TableName') ?? generated(id);
      case 'AWS::IAM::Role':
        return nameProp(id, 'RoleName') ?? generated(id);
      case 'AWS::Logs::LogGroup':
        return nameProp(id, 'LogGroupName') ?? generated(id);
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${ACCOUNT}:policy${nameProp(id, 'Path') ?? '/'}${nameProp(id, 'ManagedPolicyName') ?? generated(id)}`;
      case 'AWS::Lambda::Function':
        return nameProp(id, 'FunctionName') ?? generated(id);
      case 'AWS::Cognito::UserPool':
        return `${region}_${hash(id, 9)}`;
      case 'AWS::Cognito::UserPoolClient':
        return hash(id, 26, lowerAlnum);
      default:
        throw new Error(`simulated stack: Ref of ${Type} (${id}) is not modelled; add it to simulatedStack.ts`);
    }
  }

  function getAtt(id: string, attr: string): string {
    const { Type } = resource(id);
    const key = `${Type}.${attr}`;
    switch (key) {
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${ACCOUNT}:role${nameProp(id, 'Path') ?? '/'}${ref(id)}`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${ref(id)}`;
      case 'AWS::EC2::SecurityGroup.GroupId':
        return ref(id);
      case 'AWS::EC2::VPC.CidrBlock':
        return nameProp(id, 'CidrBlock') ?? '10.0.0.0/16';
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${ref(id)}:*`;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.DNSName': {
        const internal = nameProp(id, 'Scheme') === 'internal';
        return `${internal ? 'internal-' : ''}${(nameProp(id, 'Name') ?? stackName).slice(0, 24)}-${hash(id, 16)}.elb.${region}.amazonaws.com`;
      }
      case 'AWS::SageMaker::NotebookInstance.NotebookInstanceName':
        return nameProp(id, 'NotebookInstanceName') ?? generated(id);
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer.CanonicalHostedZoneID':
        return 'Z35SXDOTRQ7X7K';
      default:
        throw new Error(`simulated stack: GetAtt ${key} (${id}) is not modelled; add it to simulatedStack.ts`);
    }
  }

  function sub(template: string, vars: Record<string, CfnValue> = {}): string {
    return template.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (vars[name] !== undefined) return evaluate(vars[name]!);
      const dot = name.indexOf('.');
      return dot > 0 && !name.startsWith('AWS::') ? getAtt(name.slice(0, dot), name.slice(dot + 1)) : ref(name);
    });
  }

  function evaluate(v: CfnValue): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const [fn, arg] = Object.entries(v)[0] ?? [];
      if (fn === 'Ref') return ref(arg as string);
      if (fn === 'Fn::GetAtt') {
        const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.+)/);
        return getAtt(id!, attr!);
      }
      if (fn === 'Fn::Sub') return Array.isArray(arg) ? sub(arg[0] as string, arg[1] as Record<string, CfnValue>) : sub(arg as string);
      if (fn === 'Fn::Join') {
        const [sep, parts] = arg as [string, CfnValue[]];
        return parts.map(evaluate).join(sep);
      }
      if (fn === 'Fn::Select') {
        const [index, list] = arg as [number | string, CfnValue];
        const item = evaluateList(list)[Number(index)];
        if (item === undefined) throw new Error(`simulated stack: Fn::Select index ${index} out of range in ${JSON.stringify(v)}`);
        return item;
      }
    }
    throw new Error(`simulated stack: cannot evaluate ${JSON.stringify(v)}`);
  }

  function evaluateList(v: CfnValue): string[] {
    if (Array.isArray(v)) return v.map(evaluate);
    if (v && typeof v === 'object' && 'Fn::Split' in v) {
      const [sep, source] = v['Fn::Split'] as [string, CfnValue];
      return evaluate(source).split(sep);
    }
    throw new Error(`simulated stack: cannot evaluate the list ${JSON.stringify(v)}`);
  }

  const out: Record<string, string> = {};
  for (const [name, o] of Object.entries(template.Outputs ?? {})) out[name] = evaluate((o as { Value: CfnValue }).Value);
  return out;
}
