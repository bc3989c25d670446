import { describe, expect, it } from 'vitest';
import {
  awsLogsConfiguration,
  containerEnvironment,
  ecrPullStatements,
  ecrRepository,
  ecrRepositoryArn,
  fargateMemoryChoices,
  fargateService,
  fargateSizeProblem,
  fargateTaskDefinition,
} from './fargate.js';

describe('Fargate sizes', () => {
  it('lists the memory Fargate offers for each CPU size, and nothing for a size it does not have', () => {
    expect(fargateMemoryChoices(256)).toEqual([512, 1024, 2048]);
    expect(fargateMemoryChoices(1024)).toEqual([2048, 3072, 4096, 5120, 6144, 7168, 8192]);
    expect(fargateMemoryChoices(8192).at(-1)).toBe(61440);
    expect(fargateMemoryChoices(16384)).toHaveLength(12);
    expect(fargateMemoryChoices(300)).toEqual([]);
  });

  it('hands out copies, so a caller cannot change the table', () => {
    fargateMemoryChoices(256).push(4096);
    expect(fargateMemoryChoices(256)).toEqual([512, 1024, 2048]);
  });

  it('says what memory goes with the CPU: a short list in full, a long one as a range with its step', () => {
    expect(fargateSizeProblem(1024, 2048)).toBeUndefined();
    expect(fargateSizeProblem(300, 1)).toBeUndefined();
    expect(fargateSizeProblem(256, 1536)).toEqual({
      message: 'Fargate does not offer 1536 MiB of memory with cpu 256',
      hint: 'with cpu 256, memory must be 512, 1024, 2048 MiB',
    });
    expect(fargateSizeProblem(1024, 16384)).toEqual({
      message: 'Fargate does not offer 16384 MiB of memory with cpu 1024',
      hint: 'with cpu 1024, memory must be 2048 to 8192 in steps of 1024 MiB',
    });
  });
});

describe('images from ECR', () => {
  it('finds the repository of a private ECR image by tag or digest, and nothing for other registries', () => {
    expect(ecrRepository('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/metadata:v2')).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
      repo: 'team/metadata',
    });
    expect(ecrRepository('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/svc@sha256:abc')?.repo).toBe('svc');
    expect(ecrRepository('netflixoss/metaflow_metadata_service:v2.4.12')).toBeUndefined();
    expect(ecrRepository('public.ecr.aws/outerbounds/metaflow_ui:v1.2.4')).toBeUndefined();
  });

  it("gives the repository's ARN in the stack's partition", () => {
    expect(ecrRepositoryArn('123456789012.dkr.ecr.us-west-2.amazonaws.com/ui:1')).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:ecr:us-west-2:123456789012:repository/ui',
    });
    expect(ecrRepositoryArn('nginx:1')).toBeUndefined();
  });

  it('grants the login on "*" (AWS allows nothing narrower) and the pulls on the repositories only', () => {
    const repos = [{ 'Fn::Sub': 'arn:${AWS::Partition}:ecr:us-west-2:123456789012:repository/ui' }];
    expect(ecrPullStatements('PullUiImages', repos)).toEqual([
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'PullUiImages',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: repos,
      },
    ]);
  });
});

describe('task definitions and services', () => {
  it('logs to a stack log group through awslogs and lists the environment in order', () => {
    expect(awsLogsConfiguration('UiLogGroup', 'ui-static')).toEqual({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': { Ref: 'UiLogGroup' }, 'awslogs-region': { Ref: 'AWS::Region' }, 'awslogs-stream-prefix': 'ui-static' },
    });
    expect(containerEnvironment({ B: '1', A: { Ref: 'X' } })).toEqual([
      { Name: 'B', Value: '1' },
      { Name: 'A', Value: { Ref: 'X' } },
    ]);
  });

  it('makes a Linux x86 Fargate task definition, with ephemeral storage and volumes only when asked', () => {
    const plain = fargateTaskDefinition({
      family: 'f',
      cpu: 256,
      memory: 512,
      executionRole: 'Exec',
      taskRole: 'Task',
      containers: [{ Name: 'c' }],
    });
    expect(plain).toEqual({
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        Family: 'f',
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: '256',
        Memory: '512',
        RuntimePlatform: { OperatingSystemFamily: 'LINUX', CpuArchitecture: 'X86_64' },
        ExecutionRoleArn: { 'Fn::GetAtt': ['Exec', 'Arn'] },
        TaskRoleArn: { 'Fn::GetAtt': ['Task', 'Arn'] },
        ContainerDefinitions: [{ Name: 'c' }],
      },
    });
    expect(Object.keys(plain)).toEqual(['Type', 'Properties']);
    const full = fargateTaskDefinition({
      family: 'f',
      cpu: 2048,
      memory: 16384,
      ephemeralStorageGiB: 100,
      executionRole: 'Exec',
      taskRole: 'Task',
      volumes: [{ Name: 'tmp' }],
      containers: [],
      metadata: { checkov: { skip: [] } },
    });
    expect(Object.keys(full)).toEqual(['Type', 'Metadata', 'Properties']);
    expect(Object.keys(full.Properties!)).toEqual([
      'Family',
      'RequiresCompatibilities',
      'NetworkMode',
      'Cpu',
      'Memory',
      'EphemeralStorage',
      'RuntimePlatform',
      'ExecutionRoleArn',
      'TaskRoleArn',
      'Volumes',
      'ContainerDefinitions',
    ]);
    expect(full.Properties!.EphemeralStorage).toEqual({ SizeInGiB: 100 });
  });

  it('makes a rolling service that keeps its tasks until new ones are healthy and rolls back a failed deploy', () => {
    const service = fargateService({
      cluster: { Ref: 'Cluster' },
      taskDefinition: 'Task',
      desiredCount: 2,
      healthCheckGracePeriodSeconds: 60,
      dependsOn: ['Listener', 'NatRoute'],
      network: { subnetIds: [{ Ref: 'A' }, { Ref: 'B' }], securityGroupIds: ['sg-1'], assignPublicIp: false },
      securityGroup: 'ServiceSg',
      loadBalancers: [
        { container: 'web', port: 8080, targetGroup: 'Web' },
        { container: 'web', port: 8082, targetGroup: 'Admin' },
      ],
    });
    expect(service).toEqual({
      Type: 'AWS::ECS::Service',
      DependsOn: ['Listener', 'NatRoute'],
      Properties: {
        Cluster: { Ref: 'Cluster' },
        TaskDefinition: { Ref: 'Task' },
        LaunchType: 'FARGATE',
        PlatformVersion: 'LATEST',
        DesiredCount: 2,
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        },
        HealthCheckGracePeriodSeconds: 60,
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: [{ Ref: 'A' }, { Ref: 'B' }],
            SecurityGroups: [{ 'Fn::GetAtt': ['ServiceSg', 'GroupId'] }, 'sg-1'],
            AssignPublicIp: 'DISABLED',
          },
        },
        LoadBalancers: [
          { ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: { Ref: 'Web' } },
          { ContainerName: 'web', ContainerPort: 8082, TargetGroupArn: { Ref: 'Admin' } },
        ],
        EnableECSManagedTags: true,
        PropagateTags: 'SERVICE',
      },
    });
    const publicIp = fargateService({ ...baseService(), network: { subnetIds: [], securityGroupIds: [], assignPublicIp: true } });
    expect(
      (publicIp.Properties!.NetworkConfiguration as { AwsvpcConfiguration: { AssignPublicIp: string } }).AwsvpcConfiguration.AssignPublicIp,
    ).toBe('ENABLED');
  });
});

function baseService(): Parameters<typeof fargateService>[0] {
  return {
    cluster: 'c',
    taskDefinition: 'T',
    desiredCount: 1,
    healthCheckGracePeriodSeconds: 120,
    dependsOn: [],
    network: { subnetIds: [], securityGroupIds: [], assignPublicIp: false },
    securityGroup: 'Sg',
    loadBalancers: [],
  };
}
