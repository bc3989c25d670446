/**
 * ECS on Fargate, as the plugins that run services use it (exported from `@mfinfra/core/plugin`):
 * the sizes Fargate offers, images from ECR and the grants to pull them, the `awslogs` log
 * configuration, a Linux/x86 Fargate task definition, and a rolling Fargate service behind a load
 * balancer that rolls back a failed deployment.
 */
import type { CfnResource, CfnValue } from './cfnTypes.js';

// ---- sizes ---------------------------------------------------------------------------------------

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/** Memory (MiB) Fargate offers for each CPU size (CPU units: 1024 is one vCPU). */
const FARGATE_MEMORY: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** The memory sizes (MiB) Fargate accepts with this CPU size; `[]` for a CPU size Fargate does not have. */
export function fargateMemoryChoices(cpu: number): number[] {
  return [...(FARGATE_MEMORY[cpu] ?? [])];
}

/**
 * What is wrong with a Fargate CPU/memory pair, as a message and a hint for `ctx.report`, or
 * `undefined` when Fargate offers it (or the CPU size is not one Fargate has: the schema says so).
 */
export function fargateSizeProblem(cpu: number, memory: number): { message: string; hint: string } | undefined {
  const choices = FARGATE_MEMORY[cpu];
  if (!choices || choices.includes(memory)) return undefined;
  const sizes =
    choices.length <= 4 ? choices.join(', ') : `${choices[0]} to ${choices[choices.length - 1]} in steps of ${choices[1]! - choices[0]!}`;
  return {
    message: `Fargate does not offer ${memory} MiB of memory with cpu ${cpu}`,
    hint: `with cpu ${cpu}, memory must be ${sizes} MiB`,
  };
}

// ---- images from ECR -----------------------------------------------------------------------------

const ECR_IMAGE = /^(?<account>[0-9]{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(?<repo>[^:@]+)[:@]/;

/** The private ECR repository an image comes from (`123456789012.dkr.ecr.us-west-2.amazonaws.com/repo:tag`), when it is one. */
export function ecrRepository(image: string): { account: string; region: string; repo: string } | undefined {
  const m = ECR_IMAGE.exec(image)?.groups;
  return m ? { account: m.account!, region: m.region!, repo: m.repo! } : undefined;
}

/** The ARN of the ECR repository an image comes from (in the stack's partition), or `undefined` for an image from elsewhere. */
export function ecrRepositoryArn(image: string): CfnValue | undefined {
  const ecr = ecrRepository(image);
  return ecr && { 'Fn::Sub': `arn:\${AWS::Partition}:ecr:${ecr.region}:${ecr.account}:repository/${ecr.repo}` };
}

/**
 * The two statements an execution role needs to pull images from ECR: the registry login (which
 * AWS allows only on `Resource: "*"`; explain it to scanners with an AwsSolutions-IAM5 exception)
 * and the pulls, on `repositories` only (one ARN or a list, from {@link ecrRepositoryArn}).
 */
export function ecrPullStatements(sid: string, repositories: CfnValue): CfnValue[] {
  return [
    // GetAuthorizationToken has no resource-level permissions (AWS requires "*").
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: sid,
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: repositories,
    },
  ];
}

// ---- task definitions and services ---------------------------------------------------------------

/** A container's `LogConfiguration`: the `awslogs` driver into a log group of the stack, streams named `<prefix>/...`. */
export function awsLogsConfiguration(logGroupLogicalId: string, streamPrefix: string): CfnValue {
  return {
    LogDriver: 'awslogs',
    Options: {
      'awslogs-group': { Ref: logGroupLogicalId },
      'awslogs-region': { Ref: 'AWS::Region' },
      'awslogs-stream-prefix': streamPrefix,
    },
  };
}

/** A container's `Environment` list from a map of names to values, in the map's order. */
export function containerEnvironment(variables: Readonly<Record<string, CfnValue>>): CfnValue[] {
  return Object.entries(variables).map(([Name, Value]) => ({ Name, Value }));
}

export interface FargateTaskDefinition {
  /** `Family` (e.g. `ctx.naming.physicalName('ui-backend', { maxLength: 255 })`). */
  family: CfnValue;
  /** CPU units and memory in MiB, a pair Fargate offers ({@link fargateSizeProblem}). */
  cpu: number;
  memory: number;
  /** Ephemeral storage in GiB, when more than Fargate's default 20. */
  ephemeralStorageGiB?: number;
  /** Logical ids of the execution role (pulls images, writes logs, reads secrets) and of the task role (what the containers may do). */
  executionRole: string;
  taskRole: string;
  /** Task volumes (e.g. `[{ Name: 'tmp' }]` for a read-only root's scratch space). */
  volumes?: CfnValue[];
  containers: CfnValue[];
  /** The resource's `Metadata` (e.g. scanner exceptions). */
  metadata?: { [key: string]: CfnValue };
}

/** An `AWS::ECS::TaskDefinition` for Fargate (awsvpc networking, Linux on x86-64). */
export function fargateTaskDefinition(task: FargateTaskDefinition): CfnResource {
  return {
    Type: 'AWS::ECS::TaskDefinition',
    ...(task.metadata ? { Metadata: task.metadata } : {}),
    Properties: {
      Family: task.family,
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: String(task.cpu),
      Memory: String(task.memory),
      ...(task.ephemeralStorageGiB !== undefined ? { EphemeralStorage: { SizeInGiB: task.ephemeralStorageGiB } } : {}),
      RuntimePlatform: { OperatingSystemFamily: 'LINUX', CpuArchitecture: 'X86_64' },
      ExecutionRoleArn: { 'Fn::GetAtt': [task.executionRole, 'Arn'] },
      TaskRoleArn: { 'Fn::GetAtt': [task.taskRole, 'Arn'] },
      ...(task.volumes ? { Volumes: task.volumes } : {}),
      ContainerDefinitions: task.containers,
    },
  };
}

export interface FargateService {
  /** The cluster (name or ARN, e.g. `ref('MetadataCluster')`). */
  cluster: CfnValue;
  /** Logical id of the task definition. */
  taskDefinition: string;
  desiredCount: number;
  /** Seconds the load balancer's health checks are ignored after a task starts. */
  healthCheckGracePeriodSeconds: number;
  /** What the service must wait for: the listeners (or rules) of its target groups, the network's routes. */
  dependsOn: string[];
  /** Where the tasks run: the network plugin's api fields of the same names. */
  network: { subnetIds: CfnValue[]; securityGroupIds: CfnValue[]; assignPublicIp: boolean };
  /** Logical id of the service's own security group (put first, before the network's). */
  securityGroup: string;
  /** The target groups each container port is registered in. */
  loadBalancers: { container: string; port: number; targetGroup: string }[];
}

/**
 * An `AWS::ECS::Service` on Fargate behind a load balancer: a rolling deployment that keeps every
 * task until the new ones are healthy (100/200 %), rolls back when they are not (the circuit
 * breaker), and tags its tasks with the service's tags.
 */
export function fargateService(service: FargateService): CfnResource {
  return {
    Type: 'AWS::ECS::Service',
    DependsOn: service.dependsOn,
    Properties: {
      Cluster: service.cluster,
      TaskDefinition: { Ref: service.taskDefinition },
      LaunchType: 'FARGATE',
      PlatformVersion: 'LATEST',
      DesiredCount: service.desiredCount,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      HealthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: service.network.subnetIds,
          SecurityGroups: [{ 'Fn::GetAtt': [service.securityGroup, 'GroupId'] }, ...service.network.securityGroupIds],
          AssignPublicIp: service.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
        },
      },
      LoadBalancers: service.loadBalancers.map((lb) => ({
        ContainerName: lb.container,
        ContainerPort: lb.port,
        TargetGroupArn: { Ref: lb.targetGroup },
      })),
      EnableECSManagedTags: true,
      PropagateTags: 'SERVICE',
    },
  };
}
