import { cfnLint, cfnLintAvailable, compileError, compileManifest } from '@mfinfra/core/testing';
import { describe, expect, it } from 'vitest';
import gpuCompute from '../src/index.js';
import { fakeBatch, fakes } from './fakes.js';

const plugins = { ...fakes, batch: fakeBatch, 'mfinfra-plugin-gpu-compute': gpuCompute };

const manifest = (gpuSection: string, options: { batch?: boolean } = {}) => `version: 1
stack: { name: ml-prod, region: us-west-2 }
plugins: [network, datastore, mfinfra-plugin-gpu-compute${options.batch ? ', batch' : ''}]
${gpuSection}
`;

type Result = Awaited<ReturnType<typeof compileManifest>>;
const ownedBy = (result: Result, key: string) =>
  Object.fromEntries(Object.entries(result.template.Resources).filter(([id]) => result.resourceOwners[id] === key));
const configOf = (result: Result) => Object.fromEntries(result.configOutputs.map((c) => [c.key, { value: c.value, plugin: c.plugin }]));

const lint = cfnLintAvailable();

describe('gpuCompute without the batch plugin (the stack’s only Batch compute)', () => {
  it('creates the GPU compute environment, its queue and a datastore-only job role, all in the shared network', async () => {
    const result = await compileManifest(manifest('gpuCompute: { instanceTypes: [g5.2xlarge, g6], maxVcpus: 32 }'), { plugins });
    expect(ownedBy(result, 'gpuCompute')).toMatchInlineSnapshot(`
      {
        "GpuComputeEnvironment": {
          "Properties": {
            "ComputeResources": {
              "AllocationStrategy": "BEST_FIT_PROGRESSIVE",
              "Ec2Configuration": [
                {
                  "ImageType": "ECS_AL2_NVIDIA",
                },
              ],
              "InstanceRole": {
                "Fn::GetAtt": [
                  "GpuComputeInstanceProfile",
                  "Arn",
                ],
              },
              "InstanceTypes": [
                "g5.2xlarge",
                "g6",
              ],
              "LaunchTemplate": {
                "LaunchTemplateId": {
                  "Ref": "GpuComputeLaunchTemplate",
                },
                "Version": {
                  "Fn::GetAtt": [
                    "GpuComputeLaunchTemplate",
                    "LatestVersionNumber",
                  ],
                },
              },
              "MaxvCpus": 32,
              "MinvCpus": 0,
              "SecurityGroupIds": [
                {
                  "Ref": "GpuComputeSecurityGroup",
                },
                "sg-0123456789abcdef0",
              ],
              "Subnets": [
                "subnet-0a1b2c3d4e5f60001",
                "subnet-0a1b2c3d4e5f60002",
              ],
              "Tags": {
                "Name": "ml-prod-gpu-compute",
              },
              "Type": "EC2",
            },
            "State": "ENABLED",
            "Type": "MANAGED",
          },
          "Type": "AWS::Batch::ComputeEnvironment",
        },
        "GpuComputeInstanceProfile": {
          "Properties": {
            "Roles": [
              {
                "Ref": "GpuComputeInstanceRole",
              },
            ],
          },
          "Type": "AWS::IAM::InstanceProfile",
        },
        "GpuComputeInstanceRole": {
          "Metadata": {
            "cdk_nag": {
              "rules_to_suppress": [
                {
                  "applies_to": [
                    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
                  ],
                  "id": "AwsSolutions-IAM4",
                  "reason": "AWS's policy for ECS container instances: what the ECS agent on the GPU instances needs, kept current by AWS.",
                },
              ],
            },
          },
          "Properties": {
            "AssumeRolePolicyDocument": {
              "Statement": [
                {
                  "Action": "sts:AssumeRole",
                  "Effect": "Allow",
                  "Principal": {
                    "Service": "ec2.amazonaws.com",
                  },
                },
              ],
              "Version": "2012-10-17",
            },
            "Description": "ECS container instance role of the GPU Batch instances",
            "ManagedPolicyArns": [
              {
                "Fn::Sub": "arn:\${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
              },
            ],
          },
          "Type": "AWS::IAM::Role",
        },
        "GpuComputeJobQueue": {
          "Properties": {
            "ComputeEnvironmentOrder": [
              {
                "ComputeEnvironment": {
                  "Ref": "GpuComputeEnvironment",
                },
                "Order": 1,
              },
            ],
            "JobQueueName": "ml-prod-gpu",
            "Priority": 10,
            "State": "ENABLED",
          },
          "Type": "AWS::Batch::JobQueue",
        },
        "GpuComputeJobRole": {
          "Metadata": {
            "cdk_nag": {
              "rules_to_suppress": [
                {
                  "applies_to": [
                    "Resource::<FakeBucket.Arn>/*",
                  ],
                  "id": "AwsSolutions-IAM5",
                  "reason": "Object keys of the Metaflow datastore bucket only: Metaflow derives artifact keys at run time.",
                },
              ],
            },
          },
          "Properties": {
            "AssumeRolePolicyDocument": {
              "Statement": [
                {
                  "Action": "sts:AssumeRole",
                  "Effect": "Allow",
                  "Principal": {
                    "Service": "ecs-tasks.amazonaws.com",
                  },
                },
              ],
              "Version": "2012-10-17",
            },
            "Description": "Role Metaflow's Batch jobs assume: read and write the datastore, nothing else",
            "Policies": [
              {
                "PolicyDocument": {
                  "Statement": [
                    {
                      "Action": [
                        "s3:GetBucketLocation",
                        "s3:ListBucket",
                      ],
                      "Effect": "Allow",
                      "Resource": {
                        "Fn::GetAtt": [
                          "FakeBucket",
                          "Arn",
                        ],
                      },
                      "Sid": "MetaflowDatastoreListBucket",
                    },
                    {
                      "Action": [
                        "s3:DeleteObject",
                        "s3:GetObject",
                        "s3:PutObject",
                      ],
                      "Effect": "Allow",
                      "Resource": {
                        "Fn::Sub": "\${FakeBucket.Arn}/*",
                      },
                      "Sid": "MetaflowDatastoreReadWriteObjects",
                    },
                  ],
                  "Version": "2012-10-17",
                },
                "PolicyName": "metaflow-datastore",
              },
            ],
          },
          "Type": "AWS::IAM::Role",
        },
        "GpuComputeLaunchTemplate": {
          "Properties": {
            "LaunchTemplateData": {
              "BlockDeviceMappings": [
                {
                  "DeviceName": "/dev/xvda",
                  "Ebs": {
                    "DeleteOnTermination": true,
                    "Encrypted": true,
                    "VolumeSize": 100,
                    "VolumeType": "gp3",
                  },
                },
              ],
              "MetadataOptions": {
                "HttpEndpoint": "enabled",
                "HttpPutResponseHopLimit": 2,
                "HttpTokens": "required",
              },
            },
          },
          "Type": "AWS::EC2::LaunchTemplate",
        },
        "GpuComputeSecurityGroup": {
          "Properties": {
            "GroupDescription": "GPU Batch instances of ml-prod: no inbound, outbound for images, S3 and the metadata service",
            "SecurityGroupEgress": [
              {
                "CidrIp": "0.0.0.0/0",
                "Description": "outbound to AWS APIs, registries and S3",
                "IpProtocol": "-1",
              },
            ],
            "VpcId": "vpc-0a1b2c3d4e5f60000",
          },
          "Type": "AWS::EC2::SecurityGroup",
        },
      }
    `);
  });

  it('gives Metaflow its job queue and job role, and names the queue in a stack output', async () => {
    const result = await compileManifest(manifest('gpuCompute: {}'), { plugins });
    expect(configOf(result)).toMatchInlineSnapshot(`
      {
        "METAFLOW_BATCH_JOB_QUEUE": {
          "plugin": "example:gpu-compute",
          "value": {
            "Ref": "GpuComputeJobQueue",
          },
        },
        "METAFLOW_ECS_S3_ACCESS_IAM_ROLE": {
          "plugin": "example:gpu-compute",
          "value": {
            "Fn::GetAtt": [
              "GpuComputeJobRole",
              "Arn",
            ],
          },
        },
      }
    `);
    expect(result.stackOutputs).toMatchInlineSnapshot(`
      [
        {
          "description": "GPU job queue: run a step on it with @batch(gpu=1, queue=<this ARN>)",
          "name": "GpuComputeJobQueueArn",
          "plugin": "example:gpu-compute",
          "pluginKey": "gpuCompute",
          "value": {
            "Ref": "GpuComputeJobQueue",
          },
        },
      ]
    `);
  });

  it('compiles to a template cfn-lint accepts with no errors and no warnings', async (t) => {
    if (!lint) return t.skip();
    const result = await compileManifest(manifest('gpuCompute: { provisioning: spot, spotMaxPricePercent: 70, minVcpus: 8 }'), { plugins });
    expect(await cfnLint({ template: result.body })).toEqual({ template: [] });
  });
});

describe('gpuCompute beside the batch plugin', () => {
  it('adds only its queue: batch keeps METAFLOW_BATCH_JOB_QUEUE and the job role', async () => {
    const result = await compileManifest(manifest('gpuCompute: {}', { batch: true }), { plugins });
    expect(Object.keys(ownedBy(result, 'gpuCompute'))).not.toContain('GpuComputeJobRole');
    expect(configOf(result)).toEqual({
      METAFLOW_BATCH_JOB_QUEUE: { value: 'arn:aws:batch:us-west-2:123456789012:job-queue/cpu', plugin: 'test:batch' },
    });
    expect(result.stackOutputs.map((o) => [o.name, o.value])).toEqual([['GpuComputeJobQueueArn', { Ref: 'GpuComputeJobQueue' }]]);
  });
});

describe('gpuCompute options', () => {
  it('uses g5 on-demand instances, 0–64 vCPUs and a 100 GiB volume when the section is left out', async () => {
    const result = await compileManifest(manifest(''), { plugins });
    const env = result.template.Resources.GpuComputeEnvironment!.Properties!.ComputeResources as Record<string, unknown>;
    expect([env.Type, env.InstanceTypes, env.MinvCpus, env.MaxvCpus]).toEqual(['EC2', ['g5'], 0, 64]);
    const lt = result.template.Resources.GpuComputeLaunchTemplate!.Properties!.LaunchTemplateData as any;
    expect(lt.BlockDeviceMappings[0].Ebs.VolumeSize).toBe(100);
    expect(result.template.Resources.GpuComputeJobQueue!.Properties).toMatchObject({ JobQueueName: 'ml-prod-gpu', Priority: 10 });
  });

  it('runs spot capacity at a price cap, with a queue name and priority of the user’s choosing', async () => {
    const result = await compileManifest(
      manifest('gpuCompute:\n  provisioning: spot\n  spotMaxPricePercent: 60\n  volumeGiB: 500\n  queue: { name: gpu-spot, priority: 50 }'),
      { plugins },
    );
    const env = result.template.Resources.GpuComputeEnvironment!.Properties!.ComputeResources as Record<string, unknown>;
    expect([env.Type, env.AllocationStrategy, env.BidPercentage]).toEqual(['SPOT', 'SPOT_PRICE_CAPACITY_OPTIMIZED', 60]);
    expect(result.template.Resources.GpuComputeJobQueue!.Properties).toMatchObject({ JobQueueName: 'ml-prod-gpu-spot', Priority: 50 });
  });

  it('reports every semantic problem in one run, each at its manifest position', async () => {
    const error = await compileError(
      manifest('gpuCompute:\n  instanceTypes: [g5, c5.xlarge]\n  minVcpus: 128\n  maxVcpus: 64\n  spotMaxPricePercent: 50'),
      { plugins },
    );
    expect(error.diagnostics.map((d) => [d.loc && `${d.loc.line}:${d.loc.column}`, d.path, d.plugin, d.hook, d.pluginCode, d.message]))
      .toMatchInlineSnapshot(`
        [
          [
            "5:23",
            "gpuCompute.instanceTypes[1]",
            "example:gpu-compute",
            "check",
            "NOT_A_GPU_INSTANCE",
            "instance type "c5.xlarge" has no NVIDIA GPU",
          ],
          [
            "6:13",
            "gpuCompute.minVcpus",
            "example:gpu-compute",
            "check",
            "VCPU_RANGE",
            "minVcpus (128) is greater than maxVcpus (64)",
          ],
          [
            "8:24",
            "gpuCompute.spotMaxPricePercent",
            "example:gpu-compute",
            "check",
            "SPOT_ONLY",
            "spotMaxPricePercent only applies to spot provisioning",
          ],
        ]
      `);
    expect(error.exitCode).toBe(3);
  });

  it('rejects unknown settings and wrong types at their position, naming the plugin that owns the section', async () => {
    const error = await compileError(manifest('gpuCompute:\n  maxVcpu: 16\n  provisioning: reserved'), { plugins });
    expect(error.diagnostics.map((d) => [d.loc && `${d.loc.line}:${d.loc.column}`, d.path, d.plugin, d.message, d.hint]))
      .toMatchInlineSnapshot(`
      [
        [
          "5:3",
          "gpuCompute.maxVcpu",
          "example:gpu-compute",
          "unknown key "maxVcpu" in gpuCompute",
          "did you mean "maxVcpus"?",
        ],
        [
          "6:17",
          "gpuCompute.provisioning",
          "example:gpu-compute",
          "gpuCompute.provisioning must be one of "on-demand", "spot", not "reserved"",
          undefined,
        ],
      ]
    `);
  });
});
